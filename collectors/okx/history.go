package okx

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// historyLimit is the largest page /api/v5/public/funding-rate-history
// serves.
const historyLimit = 100

type fundingHistoryRow struct {
	InstID       string `json:"instId"`
	FundingRate  string `json:"fundingRate"`
	RealizedRate string `json:"realizedRate"`
	FundingTime  string `json:"fundingTime"`
}

// FundingHistory returns the swap's settled funding rates in [from, to],
// oldest first, paging backwards from to (OKX answers newest first, at
// most 100 per page, and keeps about three months). The rate is the one
// actually charged (realizedRate) where OKX gives it. Each record's
// ObservedAt is its settlement time; Unified and IntervalHours are left
// to the caller.
func (c *Collector) FundingHistory(ctx context.Context, instID string, from, to time.Time) ([]collectors.Funding, error) {
	var out []collectors.Funding
	after := to.Add(time.Millisecond) // after is exclusive: rows older than it
	for after.After(from) {
		var rows []fundingHistoryRow
		err := c.get(ctx, "/api/v5/public/funding-rate-history", url.Values{
			"instId": {instID}, "limit": {strconv.Itoa(historyLimit)},
			"after": {strconv.FormatInt(after.UnixMilli(), 10)},
		}, &rows)
		if collectors.KindOf(err) == collectors.ErrEmpty {
			break // nothing older: the swap is younger than from, or OKX's retention ends here
		}
		if err != nil {
			return nil, err
		}
		oldest := after
		for _, r := range rows {
			raw := r.RealizedRate
			if raw == "" {
				raw = r.FundingRate
			}
			rate, err := collectors.ParseFloat(raw)
			if err == nil && raw == "" {
				err = errors.New("no funding rate")
			}
			at, terr := collectors.ParseMillis(r.FundingTime)
			if err = errors.Join(err, terr); err != nil || at.IsZero() || r.InstID != instID {
				return nil, &collectors.Error{Kind: collectors.ErrMalformed, Path: "/api/v5/public/funding-rate-history",
					Msg: "a funding history row of " + instID + " is unusable"}
			}
			if at.Before(oldest) {
				oldest = at
			}
			if at.Before(from) || at.After(to) {
				continue
			}
			out = append(out, collectors.Funding{Exchange: "okx", Symbol: instID, Rate: rate, ObservedAt: at})
		}
		if len(rows) < historyLimit || !oldest.Before(after) {
			break
		}
		after = oldest
	}
	return collectors.SortedHistory(out), nil
}
