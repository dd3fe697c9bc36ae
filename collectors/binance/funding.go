package binance

import (
	"context"
	"slices"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// defaultIntervalHours applies to every symbol /fundingInfo leaves out:
// Binance lists there only the symbols whose interval, cap or floor were
// adjusted.
const defaultIntervalHours = 8

// premiumIndex is the part of a premiumIndex row (USDⓈ-M and COIN-M share
// it) that the funding pull reads; fundingInfo is one fundingInfo row of
// either API. Both are decoded here, not through go-binance's structs.
type premiumIndex struct {
	Symbol          string            `json:"symbol"`
	MarkPrice       collectors.Number `json:"markPrice"`
	LastFundingRate collectors.Number `json:"lastFundingRate"` // "" on delivery contracts
	NextFundingTime int64             `json:"nextFundingTime"`
	Time            int64             `json:"time"`
}

type fundingInfo struct {
	Symbol                   string            `json:"symbol"`
	AdjustedFundingRateCap   collectors.Number `json:"adjustedFundingRateCap"`
	AdjustedFundingRateFloor collectors.Number `json:"adjustedFundingRateFloor"`
	FundingIntervalHours     int64             `json:"fundingIntervalHours"`
}

// funding pulls mark price and rate (premiumIndex) and the adjusted
// interval and caps (fundingInfo) of both APIs at once.
func (c *Collector) funding(ctx context.Context) ([]collectors.Funding, error) {
	var usdmRows, coinmRows []premiumIndex
	var usdmInfo, coinmInfo []fundingInfo
	err := collectors.FanOut(ctx, 0,
		func(ctx context.Context) error {
			return wrap("usdm premiumIndex", c.getJSON(ctx, c.cfg.FuturesURL+"/fapi/v1/premiumIndex", &usdmRows))
		},
		func(ctx context.Context) error {
			return wrap("coinm premiumIndex", c.getJSON(ctx, c.cfg.DeliveryURL+"/dapi/v1/premiumIndex", &coinmRows))
		},
		func(ctx context.Context) error {
			return wrap("usdm fundingInfo", c.getJSON(ctx, c.cfg.FuturesURL+"/fapi/v1/fundingInfo", &usdmInfo))
		},
		func(ctx context.Context) error {
			return wrap("coinm fundingInfo", c.getJSON(ctx, c.cfg.DeliveryURL+"/dapi/v1/fundingInfo", &coinmInfo))
		},
	)
	if err != nil {
		return nil, err
	}
	// USDⓈ-M and COIN-M ids never collide (BTCUSDT, BTCUSD_PERP).
	params := make(map[string]fundingInfo, len(usdmInfo)+len(coinmInfo))
	for _, p := range slices.Concat(usdmInfo, coinmInfo) {
		params[p.Symbol] = p
	}

	usdm, err := c.fundingRows(usdmRows, false, params)
	if err != nil {
		return nil, wrap("usdm premiumIndex", err)
	}
	if len(usdm) == 0 {
		return nil, wrap("usdm premiumIndex", empty("USDⓈ-M funding rates"))
	}
	coinm, err := c.fundingRows(coinmRows, true, params)
	if err != nil {
		return nil, wrap("coinm premiumIndex", err)
	}
	return append(usdm, coinm...), nil
}

func (c *Collector) fundingRows(rows []premiumIndex, inverse bool, params map[string]fundingInfo) ([]collectors.Funding, error) {
	out := make([]collectors.Funding, 0, len(rows))
	for _, r := range rows {
		if r.LastFundingRate == "" {
			continue // a delivery contract: no funding
		}
		f := collectors.Fields{ID: r.Symbol}
		rec := collectors.Funding{
			Exchange:      "binance",
			Symbol:        r.Symbol,
			Unified:       unifiedFromSymbol(r.Symbol, inverse),
			Rate:          f.Float("lastFundingRate", r.LastFundingRate),
			IntervalHours: defaultIntervalHours,
			NextFundingAt: collectors.Millis(r.NextFundingTime),
			MarkPrice:     f.Float("markPrice", r.MarkPrice),
			ObservedAt:    c.observed(r.Time),
		}
		if p, ok := params[r.Symbol]; ok {
			if p.FundingIntervalHours > 0 {
				rec.IntervalHours = float64(p.FundingIntervalHours)
			}
			rec.Cap = f.Float("adjustedFundingRateCap", p.AdjustedFundingRateCap)
			rec.Floor = f.Float("adjustedFundingRateFloor", p.AdjustedFundingRateFloor)
		}
		if f.Err != nil {
			return nil, f.Err
		}
		out = append(out, rec)
	}
	return out, nil
}
