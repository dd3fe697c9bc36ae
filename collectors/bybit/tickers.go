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
	Symbol              string            `json:"symbol"`
	LastPrice           collectors.Number `json:"lastPrice"`
	MarkPrice           collectors.Number `json:"markPrice"`
	OpenInterest        collectors.Number `json:"openInterest"`
	OpenInterestValue   collectors.Number `json:"openInterestValue"`
	Turnover24h         collectors.Number `json:"turnover24h"`
	Volume24h           collectors.Number `json:"volume24h"`
	FundingRate         collectors.Number `json:"fundingRate"`
	NextFundingTime     collectors.Number `json:"nextFundingTime"`
	FundingIntervalHour collectors.Number `json:"fundingIntervalHour"`
	FundingCap          collectors.Number `json:"fundingCap"`

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
			// Funding and market both read the tickers: fetched once a sweep.
			list, err := collectors.Shared(ctx, "bybit "+cat.name+" tickers", func(ctx context.Context) ([]ticker, error) {
				return c.tickers(ctx, cat.name, cat.required)
			})
			lists[i] = list
			return err
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

// tickers fetches one category's tickers, stamped with Bybit's time.
func (c *Collector) tickers(ctx context.Context, category string, required bool) ([]ticker, error) {
	var res tickerList
	at, err := c.get(ctx, tickersPath, url.Values{"category": {category}}, &res)
	if err != nil {
		return nil, fmt.Errorf("%s tickers: %w", category, err)
	}
	if len(res.List) == 0 && required {
		return nil, &collectors.Error{Kind: collectors.ErrEmpty, Path: tickersPath,
			Msg: category + " tickers: the exchange returned an empty list"}
	}
	if at.IsZero() {
		at = c.now().UTC()
	}
	for j := range res.List {
		res.List[j].at = at
	}
	return res.List, nil
}
