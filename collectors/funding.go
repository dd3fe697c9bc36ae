package collectors

import (
	"context"
	"time"
)

// Funding is one funding observation.
type Funding struct {
	Exchange      string
	Symbol        string
	Unified       string
	Rate          float64 // fraction per interval: 0.0001 = 1 bp
	IntervalHours float64
	Cap           float64 // 0 when unpublished
	Floor         float64 // 0 when unpublished
	NextFundingAt time.Time
	MarkPrice     float64
	ObservedAt    time.Time // the exchange's timestamp, else our fetch time
}

// Annualized is the funding rate over one year at the symbol's own interval.
func (f Funding) Annualized() float64 { return Annualize(f.Rate, f.IntervalHours) }

// Annualize converts a rate per interval into a yearly fraction.
func Annualize(rate, intervalHours float64) float64 {
	if intervalHours <= 0 {
		return 0
	}
	return rate * 24 / intervalHours * 365
}

var fundingKind = kindSpec{KindFunding, func(r Records) int { return len(r.Funding) },
	func(r *Records) { sortByKey(r.Funding, func(f Funding) string { return f.Symbol }) }, checkFunding, false}

func checkFunding(r Records, now time.Time) error {
	for _, f := range r.Funding {
		b := bounds{symbol: f.Symbol, now: now}
		b.text("symbol", f.Symbol)
		b.number("rate", f.Rate, -maxRate, maxRate, false)
		b.number("interval_hours", f.IntervalHours, 0, maxInterval, true)
		b.number("cap", f.Cap, -maxRate, maxRate, true)
		b.number("floor", f.Floor, -maxRate, maxRate, true)
		b.number("mark_price", f.MarkPrice, 0, maxPrice, true)
		b.time("next_funding_at", f.NextFundingAt, 30*24*time.Hour)
		b.time("observed_at", f.ObservedAt, 24*time.Hour)
		if b.err != nil {
			return b.err
		}
	}
	return nil
}

// FundingPull adapts a function listing funding to a PullFunc.
func FundingPull(f func(context.Context) ([]Funding, error)) PullFunc {
	return func(ctx context.Context) (Records, error) {
		v, err := f(ctx)
		return Records{Funding: v}, err
	}
}
