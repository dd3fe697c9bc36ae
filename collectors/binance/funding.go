package binance

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/adshao/go-binance/v2/futures"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// defaultIntervalHours applies to every symbol /fundingInfo leaves out:
// Binance lists there only the symbols whose interval, cap or floor were
// adjusted.
const defaultIntervalHours = 8

// fundingParams is one /fundingInfo row of either API.
type fundingParams struct {
	intervalHours int64
	cap, floor    string
}

// funding pulls mark price and rate (premiumIndex) and the adjusted
// interval and caps (fundingInfo) of both APIs at once.
func (c *Collector) funding(ctx context.Context) ([]collectors.Funding, error) {
	var usdmRows, coinmRows []*futures.PremiumIndex
	params := map[string]fundingParams{}
	var coinmParams map[string]fundingParams
	err := collectors.FanOut(ctx, 0,
		func(ctx context.Context) (err error) {
			usdmRows, err = c.usdm.NewPremiumIndexService().Do(ctx)
			return wrap("usdm premiumIndex", err)
		},
		func(ctx context.Context) (err error) {
			coinmRows, err = c.coinmPremiumIndex(ctx)
			return wrap("coinm premiumIndex", err)
		},
		func(ctx context.Context) error {
			rows, err := c.usdm.NewFundingRateInfoService().Do(ctx)
			for _, r := range rows {
				params[r.Symbol] = fundingParams{r.FundingIntervalHours, r.AdjustedFundingRateCap, r.AdjustedFundingRateFloor}
			}
			return wrap("usdm fundingInfo", err)
		},
		func(ctx context.Context) error {
			rows, err := c.coinm.NewGetFundingInfoService().Do(ctx)
			coinmParams = make(map[string]fundingParams, len(rows))
			for _, r := range rows {
				coinmParams[r.Symbol] = fundingParams{int64(r.FundingIntervalHours), r.AdjustedFundingRateCap, r.AdjustedFundingRateFloor}
			}
			return wrap("coinm fundingInfo", err)
		},
	)
	if err != nil {
		return nil, err
	}
	// USDⓈ-M and COIN-M ids never collide (BTCUSDT, BTCUSD_PERP).
	for sym, p := range coinmParams {
		params[sym] = p
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

func (c *Collector) fundingRows(rows []*futures.PremiumIndex, inverse bool, params map[string]fundingParams) ([]collectors.Funding, error) {
	out := make([]collectors.Funding, 0, len(rows))
	for _, r := range rows {
		if r.LastFundingRate == "" {
			continue // a delivery contract: no funding
		}
		rate, err := collectors.ParseFloat(r.LastFundingRate)
		if err != nil {
			return nil, fmt.Errorf("%s lastFundingRate: %w", r.Symbol, err)
		}
		mark, err := collectors.ParseFloat(r.MarkPrice)
		if err != nil {
			return nil, fmt.Errorf("%s markPrice: %w", r.Symbol, err)
		}
		f := collectors.Funding{
			Exchange:      "binance",
			Symbol:        r.Symbol,
			Unified:       unifiedFromSymbol(r.Symbol, inverse),
			Rate:          rate,
			IntervalHours: defaultIntervalHours,
			NextFundingAt: collectors.Millis(r.NextFundingTime),
			MarkPrice:     mark,
			ObservedAt:    c.observed(r.Time),
		}
		if p, ok := params[r.Symbol]; ok {
			if p.intervalHours > 0 {
				f.IntervalHours = float64(p.intervalHours)
			}
			if f.Cap, err = collectors.ParseFloat(p.cap); err != nil {
				return nil, fmt.Errorf("%s adjustedFundingRateCap: %w", r.Symbol, err)
			}
			if f.Floor, err = collectors.ParseFloat(p.floor); err != nil {
				return nil, fmt.Errorf("%s adjustedFundingRateFloor: %w", r.Symbol, err)
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// coinmPremiumIndex fetches /dapi/v1/premiumIndex directly: go-binance
// v2.8.7's delivery client has no service for it. The rows have the
// USDⓈ-M shape (plus a pair field), so they decode into futures.PremiumIndex.
func (c *Collector) coinmPremiumIndex(ctx context.Context) ([]*futures.PremiumIndex, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.DeliveryURL+"/dapi/v1/premiumIndex", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	// Our transport turns non-2xx into errors; this guards any other client.
	if resp.StatusCode/100 != 2 {
		return nil, &collectors.Error{Kind: collectors.ErrRejected, Status: resp.StatusCode, Path: req.URL.Path, Msg: "unexpected answer"}
	}
	var rows []*futures.PremiumIndex
	if err := collectors.DecodeJSON(body, &rows); err != nil {
		return nil, err
	}
	return rows, nil
}
