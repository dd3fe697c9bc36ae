package binance

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/stream"
)

// DefaultStreamURL is the websocket base of Binance USDⓈ-M futures.
const DefaultStreamURL = "wss://fstream.binance.com"

// markPriceStreamName is the all-symbols mark price stream: one array of
// every contract each 3 s, nothing to subscribe to.
const markPriceStreamName = "!markPrice@arr"

// markPriceSilence: with an update every 3 s, 30 s without one means the
// connection is dead. Binance pings every 3 min and gorilla pongs, so we
// send no keep-alive of our own.
const markPriceSilence = 30 * time.Second

// markPriceStream is the stream.Protocol of !markPrice@arr.
type markPriceStream struct{ url string }

// NewStream returns the protocol of Binance's all-symbols mark price
// stream under base (empty for DefaultStreamURL): mark price, funding rate
// and next funding time of every USDⓈ-M perpetual. The stream carries no
// funding interval, so samples have IntervalHours 0. Binance ends every
// connection after 24 h; the Runner reconnects and records the short gap.
func NewStream(base string) stream.Protocol {
	base = strings.TrimRight(base, "/")
	if base == "" {
		base = DefaultStreamURL
	}
	return markPriceStream{url: base + "/ws/" + markPriceStreamName}
}

func (markPriceStream) Exchange() string                 { return "binance" }
func (markPriceStream) Stream() string                   { return markPriceStreamName }
func (s markPriceStream) URL() string                    { return s.url }
func (markPriceStream) Subscriptions() ([][]byte, error) { return nil, nil }
func (markPriceStream) Rules() stream.Rules              { return stream.Rules{Silence: markPriceSilence} }
func (markPriceStream) Reset()                           {}

// markPriceUpdate is one element of the array. E and T are numbers, the
// rest strings. encoding/json matches keys regardless of case when no
// field has the exact name, so the estimated settle price "P" needs its
// own field or it would overwrite the mark price "p".
type markPriceUpdate struct {
	Event     string `json:"e"`
	EventTime int64  `json:"E"`
	Symbol    string `json:"s"`
	Mark      string `json:"p"`
	Settle    string `json:"P"`
	Rate      string `json:"r"`
	Next      int64  `json:"T"`
}

// Parse reads one array. An element that does not fit is skipped and
// reported; the others are kept. Dated contracts (BTCUSDT_260626) appear
// with an empty rate and are left out: they have no funding.
func (markPriceStream) Parse(msg []byte, _ time.Time) ([]collectors.Funding, error) {
	var updates []markPriceUpdate
	if err := collectors.DecodeJSON(msg, &updates); err == nil {
		return markPriceSamples(updates)
	}
	// Something does not fit: decode item by item to keep the rest.
	var items []json.RawMessage
	if err := collectors.DecodeJSON(msg, &items); err != nil {
		return nil, fmt.Errorf("mark price message: %w", err)
	}
	updates = updates[:0]
	var errs []error
	for i, raw := range items {
		var u markPriceUpdate
		if err := json.Unmarshal(raw, &u); err != nil {
			errs = append(errs, fmt.Errorf("item %d: %w", i, collectors.Classify(err)))
			continue
		}
		updates = append(updates, u)
	}
	out, err := markPriceSamples(updates)
	if err != nil {
		errs = append(errs, err)
	}
	return out, &collectors.Error{Kind: collectors.ErrMalformed, Msg: "mark price message", Err: errors.Join(errs...)}
}

func markPriceSamples(updates []markPriceUpdate) ([]collectors.Funding, error) {
	out := make([]collectors.Funding, 0, len(updates))
	var errs []error
	for _, u := range updates {
		f, ok, err := markPriceSample(u)
		switch {
		case err != nil:
			errs = append(errs, err)
		case ok:
			out = append(out, f)
		}
	}
	if len(errs) > 0 {
		return out, &collectors.Error{Kind: collectors.ErrMalformed, Msg: "mark price message", Err: errors.Join(errs...)}
	}
	return out, nil
}

func markPriceSample(u markPriceUpdate) (collectors.Funding, bool, error) {
	if u.Event != "markPriceUpdate" {
		return collectors.Funding{}, false, fmt.Errorf("event %q is not a mark price update", u.Event)
	}
	if u.Rate == "" || strings.Contains(u.Symbol, "_") {
		return collectors.Funding{}, false, nil
	}
	rate, err := collectors.ParseFloat(u.Rate)
	if err != nil {
		return collectors.Funding{}, false, fmt.Errorf("%s funding rate: %w", u.Symbol, err)
	}
	mark, err := collectors.ParseFloat(u.Mark)
	if err != nil {
		return collectors.Funding{}, false, fmt.Errorf("%s mark price: %w", u.Symbol, err)
	}
	return collectors.Funding{
		Exchange:      "binance",
		Symbol:        u.Symbol,
		Unified:       unifiedFromSymbol(u.Symbol, false),
		Rate:          rate,
		MarkPrice:     mark,
		NextFundingAt: collectors.Millis(u.Next),
		ObservedAt:    collectors.Millis(u.EventTime),
	}, true, nil
}
