package bybit

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// historyLimit is the largest page /v5/market/funding/history serves.
const historyLimit = 200

type fundingHistoryPage struct {
	List []struct {
		Symbol      string `json:"symbol"`
		FundingRate string `json:"fundingRate"`
		Timestamp   string `json:"fundingRateTimestamp"`
	} `json:"list"`
}

// FundingHistory returns the linear perpetual symbol's settled funding
// rates in [from, to], oldest first, paging backwards from to (Bybit
// answers newest first, at most 200 per page). Each record's ObservedAt is
// its settlement time; Unified and IntervalHours are left to the caller.
func (c *Collector) FundingHistory(ctx context.Context, symbol string, from, to time.Time) ([]collectors.Funding, error) {
	var out []collectors.Funding
	end := to
	for !end.Before(from) {
		var page fundingHistoryPage
		_, err := c.get(ctx, "/v5/market/funding/history", url.Values{
			"category": {"linear"}, "symbol": {symbol}, "limit": {strconv.Itoa(historyLimit)},
			"startTime": {strconv.FormatInt(from.UnixMilli(), 10)}, "endTime": {strconv.FormatInt(end.UnixMilli(), 10)},
		}, &page)
		if err != nil {
			return nil, err
		}
		oldest := end
		for _, r := range page.List {
			rate, err := collectors.ParseFloat(r.FundingRate)
			if err == nil && r.FundingRate == "" {
				err = errors.New("no funding rate")
			}
			at, terr := collectors.ParseMillis(r.Timestamp)
			if err = errors.Join(err, terr); err != nil || at.IsZero() || r.Symbol != symbol {
				return nil, &collectors.Error{Kind: collectors.ErrMalformed, Path: "/v5/market/funding/history",
					Msg: "a funding history row of " + symbol + " is unusable"}
			}
			if at.Before(from) || at.After(to) {
				continue
			}
			out = append(out, collectors.Funding{Exchange: "bybit", Symbol: symbol, Rate: rate, ObservedAt: at})
			if at.Before(oldest) {
				oldest = at
			}
		}
		if len(page.List) < historyLimit || !oldest.Before(end) {
			break
		}
		end = oldest.Add(-time.Millisecond)
	}
	return collectors.SortedHistory(out), nil
}
