package binance

import (
	"cmp"
	"context"
	"net/url"
	"slices"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// ticker is the part of a ticker/24hr row (USDⓈ-M and COIN-M share it)
// that the market pull reads. It is decoded here, not through go-binance's
// structs, which decode every price of the window with encoding/json.
type ticker struct {
	Symbol      string            `json:"symbol"`
	LastPrice   collectors.Number `json:"lastPrice"`
	Volume      collectors.Number `json:"volume"`
	QuoteVolume collectors.Number `json:"quoteVolume"`
	CloseTime   int64             `json:"closeTime"`
}

// market pulls both 24h tickers with both exchangeInfo documents (which say
// what is still listed, its unified symbol and COIN-M contract size), then
// open interest for the largest USDⓈ-M perpetuals: two round trips.
func (c *Collector) market(ctx context.Context) ([]collectors.MarketStat, error) {
	var usdmTickers, coinmTickers []ticker
	var usdmInst, coinmInst []collectors.Instrument
	err := collectors.FanOut(ctx, 0,
		func(ctx context.Context) error {
			return wrap("usdm ticker/24hr", c.getJSON(ctx, c.cfg.FuturesURL+"/fapi/v1/ticker/24hr", &usdmTickers))
		},
		func(ctx context.Context) error {
			return wrap("coinm ticker/24hr", c.getJSON(ctx, c.cfg.DeliveryURL+"/dapi/v1/ticker/24hr", &coinmTickers))
		},
		func(ctx context.Context) (err error) { usdmInst, err = c.usdmInstruments(ctx); return err },
		func(ctx context.Context) (err error) { coinmInst, err = c.coinmInstruments(ctx); return err },
	)
	if err != nil {
		return nil, err
	}

	usdmListed, coinmListed := bySymbol(usdmInst), bySymbol(coinmInst)
	var stats []collectors.MarketStat
	var top []int // indexes into stats of open-interest candidates
	for _, t := range usdmTickers {
		in, ok := usdmListed[t.Symbol]
		if !ok || in.Status == collectors.StatusDelisted {
			continue // the all-symbols ticker keeps settled contracts for a while
		}
		stat, err := c.stat(in, t)
		if err != nil {
			return nil, wrap("usdm ticker/24hr", err)
		}
		stats = append(stats, stat)
		if in.ContractType == collectors.Perpetual && in.Status == collectors.StatusTrading {
			top = append(top, len(stats)-1)
		}
	}
	if len(stats) == 0 {
		return nil, wrap("usdm ticker/24hr", empty("USDⓈ-M tickers of listed symbols"))
	}
	for _, t := range coinmTickers {
		in, ok := coinmListed[t.Symbol]
		if !ok || in.Status == collectors.StatusDelisted {
			continue
		}
		stat, err := c.stat(in, t)
		if err != nil {
			return nil, wrap("coinm ticker/24hr", err)
		}
		stats = append(stats, stat)
	}

	slices.SortFunc(top, func(a, b int) int {
		return cmp.Or(cmp.Compare(stats[b].Volume24hUSD, stats[a].Volume24hUSD), cmp.Compare(stats[a].Symbol, stats[b].Symbol))
	})
	if err := c.openInterest(ctx, stats, top[:max(0, min(len(top), c.cfg.OpenInterestTop))]); err != nil {
		return nil, err
	}
	return stats, nil
}

func bySymbol(ins []collectors.Instrument) map[string]collectors.Instrument {
	m := make(map[string]collectors.Instrument, len(ins))
	for _, in := range ins {
		m[in.Symbol] = in
	}
	return m
}

// stat reads the ticker of in. COIN-M volume counts contracts of
// contractSize USD each.
func (c *Collector) stat(in collectors.Instrument, t ticker) (collectors.MarketStat, error) {
	f := collectors.Fields{ID: in.Symbol}
	var volume float64
	if in.Margin == collectors.Inverse {
		volume = f.Float("volume", t.Volume) * in.ContractSize
	} else {
		volume = f.Float("quoteVolume", t.QuoteVolume)
	}
	stat := collectors.MarketStat{
		Exchange:     "binance",
		Symbol:       in.Symbol,
		Unified:      in.Unified,
		LastPrice:    f.Float("lastPrice", t.LastPrice),
		Volume24hUSD: volume,
		ObservedAt:   c.observed(t.CloseTime),
	}
	return stat, f.Err
}

// openInterest fills OpenInterestUSD of stats[i] for each i in top, with
// at most Concurrency requests in flight. Any failure fails the pull:
// half-filled open interest would read as a collapse.
func (c *Collector) openInterest(ctx context.Context, stats []collectors.MarketStat, top []int) error {
	tasks := make([]func(context.Context) error, 0, len(top))
	for _, i := range top {
		s := &stats[i] // each task owns one element
		tasks = append(tasks, func(ctx context.Context) error {
			endpoint := "usdm openInterest " + s.Symbol
			var oi struct {
				OpenInterest collectors.Number `json:"openInterest"`
			}
			if err := c.getJSON(ctx, c.cfg.FuturesURL+"/fapi/v1/openInterest?symbol="+url.QueryEscape(s.Symbol), &oi); err != nil {
				return wrap(endpoint, err)
			}
			f := collectors.Fields{ID: s.Symbol}
			// USDⓈ-M open interest is in base coin.
			s.OpenInterestUSD = f.Float("openInterest", oi.OpenInterest) * s.LastPrice
			return wrap(endpoint, f.Err)
		})
	}
	return collectors.FanOut(ctx, c.cfg.Concurrency, tasks...)
}
