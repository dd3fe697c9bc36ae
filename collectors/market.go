package collectors

import (
	"context"
	"time"
)

// MarketStat is one 24h market observation.
type MarketStat struct {
	Exchange        string
	Symbol          string
	Unified         string
	LastPrice       float64
	Volume24hUSD    float64
	OpenInterestUSD float64 // 0 when not collected (Binance: top N only)
	ObservedAt      time.Time
}

var marketKind = kindSpec{KindMarket, func(r Records) int { return len(r.Market) },
	func(r *Records) { sortByKey(r.Market, func(m MarketStat) string { return m.Symbol }) }, checkMarket, false}

func checkMarket(r Records, now time.Time) error {
	for _, m := range r.Market {
		b := bounds{symbol: m.Symbol, now: now}
		b.text("symbol", m.Symbol)
		b.number("last_price", m.LastPrice, 0, maxPrice, true)
		b.number("volume_24h_usd", m.Volume24hUSD, 0, maxUSD, false)
		b.number("open_interest_usd", m.OpenInterestUSD, 0, maxUSD, true)
		b.time("observed_at", m.ObservedAt, 24*time.Hour)
		if b.err != nil {
			return b.err
		}
	}
	return nil
}

// MarketPull adapts a function listing market stats to a PullFunc.
func MarketPull(f func(context.Context) ([]MarketStat, error)) PullFunc {
	return func(ctx context.Context) (Records, error) {
		v, err := f(ctx)
		return Records{Market: v}, err
	}
}
