package okx

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/rivalwatch/rivalwatch/collectors"
)

const pathLendingRateSummary = "/api/v5/finance/savings/lending-rate-summary"

// maxAPR is the highest believable yearly rate, 1000 %/yr: anything above
// is a unit mistake or a broken answer.
const maxAPR = 10

// lendingRate is one coin of the savings lending-rate summary. Rates are
// yearly fractions ("0.0345"): estRate is the estimate for the next hour,
// preRate the last hour's, avgRate the 24-hour average.
type lendingRate struct {
	Ccy     string `json:"ccy"`
	EstRate string `json:"estRate"`
	PreRate string `json:"preRate"`
}

// Yield lists OKX's flexible savings (Simple Earn lending) rate per coin:
// the estimated rate, or the last hour's where OKX gives no estimate. An
// empty list or a rate outside 0–1000 %/yr fails the pull.
func (c *Collector) Yield(ctx context.Context) ([]collectors.Yield, error) {
	var rates []lendingRate
	if err := c.get(ctx, pathLendingRateSummary, nil, &rates); err != nil {
		return nil, fmt.Errorf("savings rates: %w", err)
	}
	now := c.now().UTC()
	out := make([]collectors.Yield, 0, len(rates))
	for _, r := range rates {
		raw, name := r.EstRate, "estRate"
		if strings.TrimSpace(raw) == "" {
			raw, name = r.PreRate, "preRate"
		}
		apr, bad := parseRate(raw)
		if bad != nil {
			bad.Path, bad.Msg = pathLendingRateSummary, fmt.Sprintf("%s %s %s", collectors.CapRunes(r.Ccy, 20), name, bad.Msg)
			return nil, bad
		}
		out = append(out, collectors.Yield{
			Exchange:   c.Exchange(),
			Product:    "savings",
			Coin:       r.Ccy,
			APR:        apr,
			Term:       "flexible",
			ObservedAt: now,
		})
	}
	return out, nil
}

// parseRate reads a yearly fraction and refuses one no product pays.
func parseRate(s string) (float64, *collectors.Error) {
	s = strings.TrimSpace(s)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, &collectors.Error{Kind: collectors.ErrMalformed, Msg: fmt.Sprintf("%q is not a rate", collectors.CapRunes(s, 40))}
	}
	if f < 0 || f > maxAPR {
		return 0, &collectors.Error{Kind: collectors.ErrImplausible, Msg: fmt.Sprintf("%q is outside 0 to 1000 %%/yr", s)}
	}
	return f, nil
}
