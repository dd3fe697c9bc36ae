package binance

import (
	"context"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// historyLimit is the largest page /fapi/v1/fundingRate serves.
const historyLimit = 1000

// FundingHistory returns the USDⓈ-M perpetual symbol's settled funding
// rates in [from, to], oldest first, paging forwards (Binance answers
// oldest first, at most 1,000 per page). Each record's ObservedAt is its
// settlement time; Unified and IntervalHours are left to the caller.
func (c *Collector) FundingHistory(ctx context.Context, symbol string, from, to time.Time) ([]collectors.Funding, error) {
	var out []collectors.Funding
	start := from
	for !start.After(to) {
		rows, err := c.usdm.NewFundingRateService().Symbol(symbol).StartTime(start.UnixMilli()).
			EndTime(to.UnixMilli()).Limit(historyLimit).Do(ctx)
		if err != nil {
			return nil, wrap("/fapi/v1/fundingRate", err)
		}
		newest := start
		for _, r := range rows {
			rate, err := collectors.ParseFloat(r.FundingRate)
			at := collectors.Millis(r.FundingTime)
			if err != nil || r.FundingRate == "" || at.IsZero() || r.Symbol != symbol {
				return nil, &collectors.Error{Kind: collectors.ErrMalformed, Path: "/fapi/v1/fundingRate",
					Msg: "a funding history row of " + symbol + " is unusable"}
			}
			mark, _ := collectors.ParseFloat(r.MarkPrice) // "" for old records
			if !at.Before(from) && !at.After(to) {
				out = append(out, collectors.Funding{Exchange: "binance", Symbol: symbol, Rate: rate, MarkPrice: mark, ObservedAt: at})
			}
			if at.After(newest) {
				newest = at
			}
		}
		if len(rows) < historyLimit || !newest.After(start) {
			break
		}
		start = newest.Add(time.Millisecond)
	}
	return collectors.SortedHistory(out), nil
}
