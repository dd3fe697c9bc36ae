package bybit

import (
	"context"
	"fmt"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// funding reads funding from tickers. Dated futures carry no funding rate,
// and a ticker without an instrument (a contract Bybit's instrument list
// no longer shows) has no interval or symbol names to go with it.
func (c *Collector) funding(ctx context.Context) ([]collectors.Funding, error) {
	tickers, instruments, err := c.quotes(ctx)
	if err != nil {
		return nil, err
	}
	var out []collectors.Funding
	for _, t := range tickers {
		in, ok := instruments[t.Symbol]
		if t.FundingRate == "" || !ok {
			continue
		}
		f := collectors.Fields{ID: t.Symbol}
		rec := collectors.Funding{
			Exchange:      "bybit",
			Symbol:        t.Symbol,
			Unified:       in.Unified,
			Rate:          f.Float("fundingRate", t.FundingRate),
			IntervalHours: f.Float("fundingIntervalHour", t.FundingIntervalHour),
			Cap:           in.FundingCap,
			Floor:         in.FundingFloor,
			NextFundingAt: f.Millis("nextFundingTime", t.NextFundingTime),
			MarkPrice:     f.Float("markPrice", t.MarkPrice),
			ObservedAt:    t.at,
		}
		if rec.IntervalHours == 0 {
			rec.IntervalHours = in.FundingIntervalHours
		}
		if rec.Cap == 0 && rec.Floor == 0 {
			// Tickers publish one symmetric cap.
			rec.Cap = f.Float("fundingCap", t.FundingCap)
			rec.Floor = -rec.Cap
		}
		if f.Err != nil {
			return nil, fmt.Errorf("tickers: %w", f.Err)
		}
		out = append(out, rec)
	}
	if len(out) == 0 {
		return nil, &collectors.Error{Kind: collectors.ErrEmpty, Path: tickersPath, Msg: "no ticker carries a funding rate"}
	}
	return out, nil
}
