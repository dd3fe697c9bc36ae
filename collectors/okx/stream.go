package okx

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/stream"
)

// DefaultStreamURL is OKX's public websocket.
const DefaultStreamURL = "wss://ws.okx.com:8443/ws/v5/public"

// fundingArgsMaxBytes keeps each subscribe request at half OKX's 64 KB
// cap: about 600 instruments, so one request covers every swap today.
const fundingArgsMaxBytes = 32 << 10

// OKX closes a connection with nothing pushed for 30 s and pushes funding
// only every 30 to 90 s, so the literal "ping" (answered "pong") goes out
// every 20 s, and 30 s without even a pong means the connection is dead.
// A connection may send 3 requests per second: subscribe requests are
// spaced 400 ms apart.
var fundingRules = stream.Rules{
	PingEvery:      20 * time.Second,
	Ping:           []byte("ping"),
	Silence:        30 * time.Second,
	SubscribePause: 400 * time.Millisecond,
}

// fundingStream is the stream.Protocol of the funding-rate channel.
type fundingStream struct {
	url     string
	instIDs []string
}

// NewStream returns the protocol of OKX's funding-rate channel for the
// swaps instIDs (BTC-USDT-SWAP, ...), which the caller takes from
// instruments; an empty url means DefaultStreamURL. The channel carries no
// mark price, so samples have MarkPrice 0.
func NewStream(url string, instIDs []string) stream.Protocol {
	if url == "" {
		url = DefaultStreamURL
	}
	return &fundingStream{url: url, instIDs: append([]string(nil), instIDs...)}
}

func (*fundingStream) Exchange() string    { return "okx" }
func (*fundingStream) Stream() string      { return "funding-rate" }
func (s *fundingStream) URL() string       { return s.url }
func (*fundingStream) Rules() stream.Rules { return fundingRules }
func (*fundingStream) Reset()              {}

// fundingArg names one subscription, and one push's source.
type fundingArg struct {
	Channel string `json:"channel"`
	InstID  string `json:"instId"`
}

// Subscriptions batches the instruments into requests within
// fundingArgsMaxBytes.
func (s *fundingStream) Subscriptions() ([][]byte, error) {
	if len(s.instIDs) == 0 {
		return nil, errors.New("no instruments to subscribe to")
	}
	type request struct {
		Op   string       `json:"op"`
		Args []fundingArg `json:"args"`
	}
	var out [][]byte
	var batch []fundingArg
	size := 0
	flush := func() error {
		msg, err := json.Marshal(request{Op: "subscribe", Args: batch})
		out, batch, size = append(out, msg), nil, 0
		return err
	}
	for _, id := range s.instIDs {
		arg := fundingArg{Channel: "funding-rate", InstID: id}
		n := len(`{"channel":"funding-rate","instId":""},`) + len(id)
		if size+n > fundingArgsMaxBytes && len(batch) > 0 {
			if err := flush(); err != nil {
				return nil, err
			}
		}
		batch, size = append(batch, arg), size+n
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// fundingMessage is any JSON message on the socket: a push (arg, data) or
// an event (subscribe ack, error, notice).
type fundingMessage struct {
	Event string          `json:"event"`
	Code  string          `json:"code"`
	Msg   string          `json:"msg"`
	Arg   fundingArg      `json:"arg"`
	Data  json.RawMessage `json:"data"`
}

// fundingPush is one row of a push; OKX sends every field as a string.
type fundingPush struct {
	InstID          string `json:"instId"`
	FundingRate     string `json:"fundingRate"`
	FundingTime     string `json:"fundingTime"` // the upcoming settlement
	PrevFundingTime string `json:"prevFundingTime"`
	NextFundingTime string `json:"nextFundingTime"` // the one after fundingTime
	MaxFundingRate  string `json:"maxFundingRate"`
	MinFundingRate  string `json:"minFundingRate"`
	TS              string `json:"ts"`
}

// Parse reads a push, an event, or the "pong" to our ping. An error event
// (an instrument OKX does not know, say) is reported as an API error: the
// other subscriptions go on.
func (s *fundingStream) Parse(msg []byte, _ time.Time) ([]collectors.Funding, error) {
	if string(msg) == "pong" {
		return nil, nil
	}
	var m fundingMessage
	if err := collectors.DecodeJSON(msg, &m); err != nil {
		return nil, fmt.Errorf("funding-rate message: %w", err)
	}
	switch m.Event {
	case "":
	case "error":
		return nil, &collectors.Error{Kind: collectors.ErrAPI, Msg: fmt.Sprintf("code %s: %s", m.Code, m.Msg)}
	default: // subscribe ack, notice of a coming disconnect
		return nil, nil
	}
	if m.Arg.Channel != "funding-rate" {
		return nil, &collectors.Error{Kind: collectors.ErrMalformed, Msg: fmt.Sprintf("a push from channel %q", m.Arg.Channel)}
	}
	var rows []fundingPush
	if err := json.Unmarshal(m.Data, &rows); err != nil {
		return nil, fmt.Errorf("%s: %w", m.Arg.InstID, collectors.Classify(err))
	}
	var out []collectors.Funding
	var errs []error
	for _, row := range rows {
		f, err := pushSample(row, m.Arg.InstID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, f)
	}
	if len(errs) > 0 {
		return out, &collectors.Error{Kind: collectors.ErrMalformed, Msg: "funding-rate push", Err: errors.Join(errs...)}
	}
	return out, nil
}

// pushSample normalizes one row as the REST funding-rate rows are: the
// interval is the gap between the previous and the upcoming settlement,
// else between the upcoming one and the one after.
func pushSample(row fundingPush, instID string) (collectors.Funding, error) {
	if row.InstID != instID {
		return collectors.Funding{}, fmt.Errorf("a push for %s carries %s", instID, row.InstID)
	}
	base, quote, ok := pair(row.InstID)
	if !ok {
		return collectors.Funding{}, fmt.Errorf("instId %q is not BASE-QUOTE-SWAP", row.InstID)
	}
	settle := quote
	if quote == "USD" {
		settle = base
	}
	var errs []error
	num := func(s string) float64 {
		v, err := collectors.ParseFloat(s)
		errs = append(errs, err)
		return v
	}
	millis := func(s string) time.Time {
		t, err := collectors.ParseMillis(s)
		errs = append(errs, err)
		return t
	}
	at, prev, next := millis(row.FundingTime), millis(row.PrevFundingTime), millis(row.NextFundingTime)
	var interval float64
	switch {
	case !at.IsZero() && !prev.IsZero() && at.After(prev):
		interval = at.Sub(prev).Hours()
	case !at.IsZero() && next.After(at):
		interval = next.Sub(at).Hours()
	}
	f := collectors.Funding{
		Exchange:      "okx",
		Symbol:        row.InstID,
		Unified:       collectors.Unified(base, quote, settle),
		Rate:          num(row.FundingRate),
		IntervalHours: interval,
		Cap:           num(row.MaxFundingRate),
		Floor:         num(row.MinFundingRate),
		NextFundingAt: at,
		ObservedAt:    millis(row.TS),
	}
	if err := errors.Join(errs...); err != nil {
		return collectors.Funding{}, fmt.Errorf("%s: %w", row.InstID, err)
	}
	if row.FundingRate == "" {
		return collectors.Funding{}, fmt.Errorf("%s: no funding rate", row.InstID)
	}
	return f, nil
}
