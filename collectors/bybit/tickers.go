package bybit

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

const tickersPath = "/v5/market/tickers"

type tickerList struct {
	List []ticker `json:"list"`
}

type ticker struct {
	Symbol              string `json:"symbol"`
	LastPrice           number `json:"lastPrice"`
	MarkPrice           number `json:"markPrice"`
	OpenInterest        number `json:"openInterest"`
	OpenInterestValue   number `json:"openInterestValue"`
	Turnover24h         number `json:"turnover24h"`
	Volume24h           number `json:"volume24h"`
	FundingRate         number `json:"fundingRate"`
	NextFundingTime     number `json:"nextFundingTime"`
	FundingIntervalHour number `json:"fundingIntervalHour"`
	FundingCap          number `json:"fundingCap"`

	at time.Time // Bybit's time of the answer that carried the ticker
}

// tickerCategories are fetched in full: tickers has no paging. Bybit always
// lists linear and inverse contracts, so an empty list is an error.
var tickerCategories = []struct {
	name     string
	required bool
}{{"linear", true}, {"inverse", true}}

// quotes fetches the tickers of every category and the instruments they
// need (symbol names, margin, funding interval and caps), all concurrently.
func (c *Collector) quotes(ctx context.Context) ([]ticker, map[string]collectors.Instrument, error) {
	lists := make([][]ticker, len(tickerCategories))
	var ins []collectors.Instrument
	fns := []func(context.Context) error{func(ctx context.Context) error {
		var err error
		ins, err = c.instruments(ctx)
		return err
	}}
	for i, cat := range tickerCategories {
		fns = append(fns, func(ctx context.Context) error {
			var res tickerList
			at, err := c.get(ctx, tickersPath, url.Values{"category": {cat.name}}, &res)
			if err != nil {
				return fmt.Errorf("%s tickers: %w", cat.name, err)
			}
			if len(res.List) == 0 && cat.required {
				return &collectors.Error{Kind: collectors.ErrEmpty, Path: tickersPath,
					Msg: cat.name + " tickers: the exchange returned an empty list"}
			}
			if at.IsZero() {
				at = c.now().UTC()
			}
			for j := range res.List {
				res.List[j].at = at
			}
			lists[i] = res.List
			return nil
		})
	}
	if err := collectors.FanOut(ctx, 0, fns...); err != nil {
		return nil, nil, err
	}
	bySymbol := make(map[string]collectors.Instrument, len(ins))
	for _, in := range ins {
		bySymbol[in.Symbol] = in
	}
	var all []ticker
	for _, l := range lists {
		all = append(all, l...)
	}
	return all, bySymbol, nil
}

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
		f := fields{symbol: t.Symbol}
		rec := collectors.Funding{
			Exchange:      "bybit",
			Symbol:        t.Symbol,
			Unified:       in.Unified,
			Rate:          f.float("fundingRate", t.FundingRate),
			IntervalHours: f.float("fundingIntervalHour", t.FundingIntervalHour),
			Cap:           in.FundingCap,
			Floor:         in.FundingFloor,
			NextFundingAt: f.millis("nextFundingTime", t.NextFundingTime),
			MarkPrice:     f.float("markPrice", t.MarkPrice),
			ObservedAt:    t.at,
		}
		if rec.IntervalHours == 0 {
			rec.IntervalHours = in.FundingIntervalHours
		}
		if rec.Cap == 0 && rec.Floor == 0 {
			// Tickers publish one symmetric cap.
			rec.Cap = f.float("fundingCap", t.FundingCap)
			rec.Floor = -rec.Cap
		}
		if f.err != nil {
			return nil, fmt.Errorf("tickers: %w", f.err)
		}
		out = append(out, rec)
	}
	if len(out) == 0 {
		return nil, &collectors.Error{Kind: collectors.ErrEmpty, Path: tickersPath, Msg: "no ticker carries a funding rate"}
	}
	return out, nil
}

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
		f := fields{symbol: t.Symbol}
		var volume, oi float64
		if in.Margin == collectors.Inverse {
			volume, oi = f.float("volume24h", t.Volume24h), f.float("openInterest", t.OpenInterest)
		} else {
			volume, oi = f.float("turnover24h", t.Turnover24h), f.float("openInterestValue", t.OpenInterestValue)
		}
		rec := collectors.MarketStat{
			Exchange:        "bybit",
			Symbol:          t.Symbol,
			Unified:         in.Unified,
			LastPrice:       f.float("lastPrice", t.LastPrice),
			Volume24hUSD:    volume,
			OpenInterestUSD: oi,
			ObservedAt:      t.at,
		}
		if f.err != nil {
			return nil, fmt.Errorf("tickers: %w", f.err)
		}
		out = append(out, rec)
	}
	if len(out) == 0 {
		return nil, &collectors.Error{Kind: collectors.ErrEmpty, Path: tickersPath, Msg: "no ticker matches a listed perpetual"}
	}
	return out, nil
}
