package binance

import (
	"context"
	"strings"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// historyLimit is the largest page /fapi/v1/fundingRate serves.
const historyLimit = 1000

// historyRow is one settled funding rate as both futures APIs send it.
type historyRow struct {
	symbol, rate, mark string
	at                 int64
}

// FundingHistory returns the perpetual symbol's settled funding rates in
// [from, to], oldest first, paging forwards (Binance answers oldest first,
// at most 1,000 per page): USDⓈ-M from /fapi/v1/fundingRate, COIN-M
// (BTCUSD_PERP) from /dapi/v1/fundingRate. Each record's ObservedAt is its
// settlement time; Unified and IntervalHours are left to the caller.
func (c *Collector) FundingHistory(ctx context.Context, symbol string, from, to time.Time) ([]collectors.Funding, error) {
	path, page := "/fapi/v1/fundingRate", func(start, end int64) ([]historyRow, error) {
		rows, err := c.usdm.NewFundingRateService().Symbol(symbol).StartTime(start).EndTime(end).Limit(historyLimit).Do(ctx)
		out := make([]historyRow, len(rows))
		for i, r := range rows {
			out[i] = historyRow{r.Symbol, r.FundingRate, r.MarkPrice, r.FundingTime}
		}
		return out, err
	}
	if strings.HasSuffix(symbol, "_PERP") {
		path, page = "/dapi/v1/fundingRate", func(start, end int64) ([]historyRow, error) {
			rows, err := c.coinm.NewFundingRateService().Symbol(symbol).StartTime(start).EndTime(end).Limit(historyLimit).Do(ctx)
			out := make([]historyRow, len(rows))
			for i, r := range rows {
				out[i] = historyRow{r.Symbol, r.FundingRate, r.MarkPrice, r.FundingTime}
			}
			return out, err
		}
	}
	var out []collectors.Funding
	start := from
	for !start.After(to) {
		rows, err := page(start.UnixMilli(), to.UnixMilli())
		if err != nil {
			return nil, wrap(path, err)
		}
		newest := start
		for _, r := range rows {
			rate, err := collectors.ParseFloat(r.rate)
			at := collectors.Millis(r.at)
			if err != nil || r.rate == "" || at.IsZero() || r.symbol != symbol {
				return nil, &collectors.Error{Kind: collectors.ErrMalformed, Path: path,
					Msg: "a funding history row of " + symbol + " is unusable"}
			}
			mark, _ := collectors.ParseFloat(r.mark) // "" for old records
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
