// Package collectors defines what a rival-exchange collector returns: the
// normalized record types, the Snapshot of one pull, and the Collector
// contract that the per-exchange subpackages implement. It also holds the
// shared HTTP transport (see transport.go) and the error type every
// collector reports failures with (see errors.go).
package collectors

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Snapshot is the outcome of one pull of one (exchange, kind): the records
// and how the pull went. A snapshot with Err set is never compared.
type Snapshot struct {
	Exchange  string
	Kind      Kind
	StartedAt time.Time
	Duration  time.Duration
	Requests  int
	Records   Records
	Err       error // nil when complete
}

// Complete reports whether the pull succeeded in full.
func (s Snapshot) Complete() bool { return s.Err == nil }

// Unified builds the cross-exchange symbol BASE/QUOTE:SETTLE.
func Unified(base, quote, settle string) string {
	return strings.ToUpper(base) + "/" + strings.ToUpper(quote) + ":" + strings.ToUpper(settle)
}

// multiplierPrefix splits a base asset into its multiplier prefix (1000,
// 10000, ... or 1M) and the coin, when the coin starts with a letter:
// 1000PEPE is 1000 and PEPE, 1INCH has no prefix.
func multiplierPrefix(base string) (prefix, coin string, ok bool) {
	n := 0
	switch {
	case strings.HasPrefix(base, "1000"):
		for n = 4; n < len(base) && base[n] == '0'; n++ {
		}
	case strings.HasPrefix(base, "1M"):
		n = 2
	default:
		return "", base, false
	}
	if n == len(base) || base[n] < 'A' || base[n] > 'Z' {
		return "", base, false
	}
	return base[:n], base[n:], true
}

// Multiplier returns the contract multiplier encoded in a base asset name:
// 1000 for 1000PEPE, 1000000 for 1000000MOG or 1MBABYDOGE, else 1.
func Multiplier(base string) float64 {
	prefix, _, ok := multiplierPrefix(base)
	switch {
	case !ok:
		return 1
	case prefix == "1M":
		return 1e6
	}
	return math.Pow(10, float64(len(prefix)-1))
}

// Coin strips a multiplier prefix from a base asset: PEPE for 1000PEPE.
// Cross-exchange comparisons join on it.
func Coin(base string) string {
	_, coin, _ := multiplierPrefix(base)
	return coin
}

// ParseFloat parses a decimal string as the exchanges send it; the empty
// string is zero. Equal decimals ("0.00010000", "0.0001") give equal floats.
func ParseFloat(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, &Error{Kind: ErrMalformed, Msg: fmt.Sprintf("not a number: %q", s)}
	}
	return f, nil
}

// Millis converts epoch milliseconds to UTC time; zero and negative are the
// zero time.
func Millis(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// ParseMillis parses epoch milliseconds sent as a string ("" and "0" are the
// zero time).
func ParseMillis(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, &Error{Kind: ErrMalformed, Msg: fmt.Sprintf("not a timestamp: %q", s)}
	}
	return Millis(ms), nil
}
