package collectors

import (
	"fmt"
	"math"
	"time"
)

// bounds checks the numbers and times of one record against what an
// exchange can plausibly publish. The first value out of range fails the
// whole pull as implausible, naming the symbol and field: a pull with
// leverage -10 or a 309-digit tick size is a broken answer, never a change.
type bounds struct {
	symbol string
	now    time.Time
	err    error
}

// number requires a finite value in [lo, hi]; zero (unpublished) passes
// when optional.
func (b *bounds) number(field string, v, lo, hi float64, optional bool) {
	if b.err != nil || (optional && v == 0) {
		return
	}
	if math.IsNaN(v) || math.IsInf(v, 0) || v < lo || v > hi {
		b.err = &Error{Kind: ErrImplausible, Msg: fmt.Sprintf("%s %s %g is outside %g to %g", b.symbol, field, v, lo, hi)}
	}
}

// earliest is before any perpetual futures market existed.
var earliest = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)

// time requires a zero time or one between 2015 and within ahead of now.
func (b *bounds) time(field string, t time.Time, ahead time.Duration) {
	if b.err != nil || t.IsZero() {
		return
	}
	if t.Before(earliest) || t.After(b.now.Add(ahead)) {
		b.err = &Error{Kind: ErrImplausible, Msg: fmt.Sprintf("%s %s %s is not within 2015 and %s from now",
			b.symbol, field, t.UTC().Format("2006-01-02 15:04 UTC"), ahead)}
	}
}

// text requires a non-empty identifier.
func (b *bounds) text(field, v string) {
	if b.err == nil && v == "" {
		b.err = &Error{Kind: ErrMalformed, Msg: fmt.Sprintf("a record has no %s", field)}
	}
}

// Limits shared by the kinds.
const (
	maxPrice    = 1e9  // USD per coin or contract
	maxUSD      = 1e13 // 24h volume or open interest of one contract
	maxRate     = 1    // funding per interval, cap or floor: 100 %
	maxInterval = 168  // funding interval in hours: a week
	maxLeverage = 1000
	maxSize     = 1e12 // contract, tick, lot and order sizes
	year        = 365 * 24 * time.Hour
)
