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
	func(r *Records) { sortByKey(r.Market, func(m MarketStat) string { return m.Symbol }) }, false}

// MarketPull adapts a function listing market stats to a PullFunc.
func MarketPull(f func(context.Context) ([]MarketStat, error)) PullFunc {
	return func(ctx context.Context) (Records, error) {
		v, err := f(ctx)
		return Records{Market: v}, err
	}
}
