package stream

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// Plausible bounds for one sample. Real funding caps are a few percent per
// interval; a rate beyond ±100% can only be a broken message. Exchange
// clocks run within a second of ours, so a sample minutes in the future is
// a broken timestamp, and one more than a day old is not live data.
const (
	maxRate      = 1.0
	maxAhead     = 5 * time.Minute
	maxAge       = 24 * time.Hour
	maxSymbolLen = 64
	maxInterval  = 24 * 7 // hours
	maxNextAhead = 366 * 24 * time.Hour
)

// Check reports why a sample is not plausible live data, or nil. now is
// our clock when the sample arrived. The Runner drops failing samples
// rather than storing them; negative funding rates are normal and pass.
func Check(f collectors.Funding, now time.Time) error {
	if err := checkSymbol(f.Symbol); err != nil {
		return err
	}
	for _, v := range []struct {
		name string
		v    float64
	}{{"funding rate", f.Rate}, {"mark price", f.MarkPrice}, {"funding interval", f.IntervalHours},
		{"funding cap", f.Cap}, {"funding floor", f.Floor}} {
		if math.IsNaN(v.v) || math.IsInf(v.v, 0) {
			return fmt.Errorf("%s: %s is not a number", f.Symbol, v.name)
		}
	}
	switch {
	case math.Abs(f.Rate) > maxRate:
		return fmt.Errorf("%s: funding rate %g%% is beyond ±100%%", f.Symbol, f.Rate*100)
	case f.MarkPrice < 0:
		return fmt.Errorf("%s: mark price %g is negative", f.Symbol, f.MarkPrice)
	case f.IntervalHours < 0 || f.IntervalHours > maxInterval:
		return fmt.Errorf("%s: funding interval %g h is outside 0 to %d h", f.Symbol, f.IntervalHours, maxInterval)
	case f.ObservedAt.IsZero():
		return fmt.Errorf("%s: no timestamp", f.Symbol)
	case f.ObservedAt.After(now.Add(maxAhead)):
		return fmt.Errorf("%s: timestamp %s is %s ahead of our clock", f.Symbol,
			f.ObservedAt.UTC().Format(time.RFC3339), f.ObservedAt.Sub(now).Round(time.Second))
	case f.ObservedAt.Before(now.Add(-maxAge)):
		return fmt.Errorf("%s: timestamp %s is more than a day old", f.Symbol, f.ObservedAt.UTC().Format(time.RFC3339))
	case !f.NextFundingAt.IsZero() && (f.NextFundingAt.Before(f.ObservedAt.Add(-maxAge)) ||
		f.NextFundingAt.After(f.ObservedAt.Add(maxNextAhead))):
		return fmt.Errorf("%s: next funding time %s is implausible", f.Symbol, f.NextFundingAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// checkSymbol accepts any printable id without spaces (Binance lists
// symbols in Chinese characters) and rejects what cannot be one.
func checkSymbol(s string) error {
	if s == "" {
		return fmt.Errorf("a sample has no symbol")
	}
	if len(s) > maxSymbolLen || !utf8.ValidString(s) ||
		strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) || r == '"' }) >= 0 {
		return fmt.Errorf("symbol %q is not an instrument id", s)
	}
	return nil
}
