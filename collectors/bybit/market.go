package bybit

import (
	"context"
	"fmt"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// market reads 24h volume and open interest of perpetuals from tickers,
// in USD: linear contracts give USD(T) values directly, while inverse ones
// count USD-sized contracts, so their sizes are the USD amounts.
func (c *Collector) market(ctx context.Context) ([]collectors.MarketStat, error) {
	tickers, instruments, err := c.quotes(ctx)
	if err != nil {
		return nil, err
	}
	var out []collectors.MarketStat
	for _, t := range tickers {
		in, ok := instruments[t.Symbol]
		if !ok || in.ContractType != collectors.Perpetual {
			continue
		}
		f := collectors.Fields{ID: t.Symbol}
		var volume, oi float64
		if in.Margin == collectors.Inverse {
			volume, oi = f.Float("volume24h", t.Volume24h), f.Float("openInterest", t.OpenInterest)
		} else {
			volume, oi = f.Float("turnover24h", t.Turnover24h), f.Float("openInterestValue", t.OpenInterestValue)
		}
		rec := collectors.MarketStat{
			Exchange:        "bybit",
			Symbol:          t.Symbol,
			Unified:         in.Unified,
			LastPrice:       f.Float("lastPrice", t.LastPrice),
			Volume24hUSD:    volume,
			OpenInterestUSD: oi,
			ObservedAt:      t.at,
		}
		if f.Err != nil {
			return nil, fmt.Errorf("tickers: %w", f.Err)
		}
		out = append(out, rec)
	}
	if len(out) == 0 {
		return nil, &collectors.Error{Kind: collectors.ErrEmpty, Path: tickersPath, Msg: "no ticker matches a listed perpetual"}
	}
	return out, nil
}
