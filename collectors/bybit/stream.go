package bybit

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/stream"
)

// DefaultStreamURL is Bybit's public websocket for linear contracts.
const DefaultStreamURL = "wss://stream.bybit.com/v5/public/linear"

// Bybit's subscription limits: ten topics per request is the documented
// safe size (the spot limit; linear takes more but says nothing), and the
// topics of one connection may total 21,000 characters, about 1,300
// symbols.
const (
	tickerTopicsPerMessage = 10
	tickerTopicsMaxChars   = 21000
)

// Bybit pushes tickers every 100 ms and wants a ping every 20 s; 30 s
// without even a pong means the connection is dead.
var tickerRules = stream.Rules{
	PingEvery: 20 * time.Second,
	Ping:      []byte(`{"op":"ping"}`),
	Silence:   30 * time.Second,
}

// tickerStream is the stream.Protocol of the linear tickers.* topics. It
// keeps each symbol's last known funding fields, because after the first
// snapshot Bybit sends only the fields that changed.
type tickerStream struct {
	url     string
	symbols []string
	state   map[string]*tickerFields
}

// NewStream returns the protocol of Bybit's linear tickers for symbols
// (BTCUSDT, ...): funding rate, interval, cap, next funding time and mark
// price. Bybit has no all-symbols topic, so the caller passes the list,
// from instruments; an empty url means DefaultStreamURL.
func NewStream(url string, symbols []string) stream.Protocol {
	if url == "" {
		url = DefaultStreamURL
	}
	return &tickerStream{url: url, symbols: append([]string(nil), symbols...), state: map[string]*tickerFields{}}
}

func (*tickerStream) Exchange() string    { return "bybit" }
func (*tickerStream) Stream() string      { return "tickers" }
func (s *tickerStream) URL() string       { return s.url }
func (*tickerStream) Rules() stream.Rules { return tickerRules }
func (s *tickerStream) Reset()            { clear(s.state) }

// Subscriptions batches the topics within Bybit's limits.
func (s *tickerStream) Subscriptions() ([][]byte, error) {
	if len(s.symbols) == 0 {
		return nil, errors.New("no symbols to subscribe to")
	}
	var out [][]byte
	chars := 0
	for i := 0; i < len(s.symbols); i += tickerTopicsPerMessage {
		batch := s.symbols[i:min(i+tickerTopicsPerMessage, len(s.symbols))]
		topics := make([]string, len(batch))
		for j, sym := range batch {
			topics[j] = "tickers." + sym
			chars += len(topics[j])
		}
		msg, err := json.Marshal(struct {
			ReqID string   `json:"req_id"`
			Op    string   `json:"op"`
			Args  []string `json:"args"`
		}{fmt.Sprintf("tickers-%d", len(out)+1), "subscribe", topics})
		if err != nil {
			return nil, err
		}
		out = append(out, msg)
	}
	if chars > tickerTopicsMaxChars {
		return nil, fmt.Errorf("%d symbols need %d characters of topics, more than the %d Bybit allows on one connection: split them over two streams",
			len(s.symbols), chars, tickerTopicsMaxChars)
	}
	return out, nil
}

// tickerMessage is any message on the public socket: a topic push, or an
// answer to our subscribe or ping.
type tickerMessage struct {
	Topic   string          `json:"topic"`
	Type    string          `json:"type"` // snapshot or delta
	TS      int64           `json:"ts"`
	Data    json.RawMessage `json:"data"`
	Op      string          `json:"op"`
	Success *bool           `json:"success"`
	RetMsg  string          `json:"ret_msg"`
}

// tickerFields are the funding fields of a ticker; nil is "not in this
// message", which in a delta means unchanged.
type tickerFields struct {
	Symbol   *string `json:"symbol"`
	Rate     *string `json:"fundingRate"`
	Next     *string `json:"nextFundingTime"`
	Mark     *string `json:"markPrice"`
	Interval *string `json:"fundingIntervalHour"`
	Cap      *string `json:"fundingCap"`
}

// merge copies the fields d carries and tells whether it carried any.
func (t *tickerFields) merge(d tickerFields) bool {
	changed := false
	for _, f := range []struct{ dst, src **string }{
		{&t.Rate, &d.Rate}, {&t.Next, &d.Next}, {&t.Mark, &d.Mark}, {&t.Interval, &d.Interval}, {&t.Cap, &d.Cap},
	} {
		if *f.src != nil {
			*f.dst, changed = *f.src, true
		}
	}
	return changed
}

// Parse merges a snapshot or delta into the symbol's state and returns a
// sample when a funding field or the mark price came with it. A delta for
// a symbol with no snapshot yet is ignored: its unchanged fields are
// unknown.
func (s *tickerStream) Parse(msg []byte, _ time.Time) ([]collectors.Funding, error) {
	var m tickerMessage
	if err := collectors.DecodeJSON(msg, &m); err != nil {
		return nil, fmt.Errorf("tickers message: %w", err)
	}
	switch {
	case m.Op != "" && m.Success != nil && !*m.Success:
		return nil, &collectors.Error{Kind: collectors.ErrAPI, Msg: fmt.Sprintf("%s refused: %s", m.Op, m.RetMsg)}
	case m.Op != "":
		return nil, nil // subscribe ack or pong
	}
	symbol, ok := strings.CutPrefix(m.Topic, "tickers.")
	if !ok || symbol == "" {
		return nil, &collectors.Error{Kind: collectors.ErrMalformed, Msg: fmt.Sprintf("unexpected topic %q", m.Topic)}
	}
	var d tickerFields
	if err := json.Unmarshal(m.Data, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", symbol, collectors.Classify(err))
	}
	if d.Symbol != nil && *d.Symbol != symbol {
		return nil, &collectors.Error{Kind: collectors.ErrMalformed, Msg: fmt.Sprintf("topic %s carries %s", m.Topic, *d.Symbol)}
	}
	st := s.state[symbol]
	switch m.Type {
	case "snapshot":
		st = &tickerFields{}
		s.state[symbol] = st
	case "delta":
		if st == nil {
			return nil, nil
		}
	default:
		return nil, &collectors.Error{Kind: collectors.ErrMalformed, Msg: fmt.Sprintf("%s: unknown message type %q", symbol, m.Type)}
	}
	if !st.merge(d) || st.Rate == nil || *st.Rate == "" {
		return nil, nil
	}
	f, err := st.sample(symbol, collectors.Millis(m.TS))
	if err != nil {
		return nil, &collectors.Error{Kind: collectors.ErrMalformed, Msg: symbol, Err: err}
	}
	return []collectors.Funding{f}, nil
}

func (t *tickerFields) sample(symbol string, at time.Time) (collectors.Funding, error) {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	var errs []error
	num := func(p *string) float64 {
		v, err := collectors.ParseFloat(str(p))
		errs = append(errs, err)
		return v
	}
	next, err := collectors.ParseMillis(str(t.Next))
	errs = append(errs, err)
	f := collectors.Funding{
		Exchange:      "bybit",
		Symbol:        symbol,
		Unified:       unifiedLinear(symbol),
		Rate:          num(t.Rate),
		IntervalHours: num(t.Interval),
		Cap:           num(t.Cap),
		NextFundingAt: next,
		MarkPrice:     num(t.Mark),
		ObservedAt:    at,
	}
	f.Floor = -f.Cap // tickers publish one symmetric cap
	return f, errors.Join(errs...)
}

// unifiedLinear derives the unified symbol from a linear id alone:
// BTCUSDT is BTC/USDT:USDT, the older USDC perpetual BTCPERP is
// BTC/USDC:USDC. Other ids give "", to be mapped through instruments.
func unifiedLinear(symbol string) string {
	for _, q := range []struct{ suffix, quote string }{{"USDT", "USDT"}, {"USDC", "USDC"}, {"PERP", "USDC"}} {
		if base, ok := strings.CutSuffix(symbol, q.suffix); ok && base != "" {
			return collectors.Unified(base, q.quote, q.quote)
		}
	}
	return ""
}
