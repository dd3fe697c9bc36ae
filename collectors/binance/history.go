package binance

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// historyLimit is the largest page /fapi/v1/fundingRate serves.
const historyLimit = 1000

// historyRow is one settled funding rate as both futures APIs send it.
type historyRow struct {
	Symbol      string            `json:"symbol"`
	FundingRate collectors.Number `json:"fundingRate"`
	FundingTime int64             `json:"fundingTime"`
	MarkPrice   collectors.Number `json:"markPrice"` // "" for old records
}

// FundingHistory returns the perpetual symbol's settled funding rates in
// [from, to], oldest first, paging forwards (Binance answers oldest first,
// at most 1,000 per page): USDⓈ-M from /fapi/v1/fundingRate, COIN-M
// (BTCUSD_PERP) from /dapi/v1/fundingRate. Each record's ObservedAt is its
// settlement time; Unified and IntervalHours are left to the caller.
func (c *Collector) FundingHistory(ctx context.Context, symbol string, from, to time.Time) ([]collectors.Funding, error) {
	base, path := c.cfg.FuturesURL, "/fapi/v1/fundingRate"
	if strings.HasSuffix(symbol, "_PERP") {
		base, path = c.cfg.DeliveryURL, "/dapi/v1/fundingRate"
	}
	var out []collectors.Funding
	start := from
	for !start.After(to) {
		var rows []historyRow
		q := url.Values{"symbol": {symbol}, "startTime": {strconv.FormatInt(start.UnixMilli(), 10)},
			"endTime": {strconv.FormatInt(to.UnixMilli(), 10)}, "limit": {strconv.Itoa(historyLimit)}}
		if err := c.getJSON(ctx, base+path+"?"+q.Encode(), &rows); err != nil {
			return nil, wrap(path, err)
		}
		newest := start
		for _, r := range rows {
			rate, err := collectors.ParseFloat(string(r.FundingRate))
			at := collectors.Millis(r.FundingTime)
			if err != nil || r.FundingRate == "" || at.IsZero() || r.Symbol != symbol {
				return nil, &collectors.Error{Kind: collectors.ErrMalformed, Path: path,
					Msg: "a funding history row of " + symbol + " is unusable"}
			}
			mark, _ := collectors.ParseFloat(string(r.MarkPrice))
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
