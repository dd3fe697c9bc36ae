package binance

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/adshao/go-binance/v2/delivery"
	"github.com/adshao/go-binance/v2/futures"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// market pulls both 24h tickers with both exchangeInfo documents (which say
// what is still listed, its unified symbol and COIN-M contract size), then
// open interest for the largest USDⓈ-M perpetuals: two round trips.
func (c *Collector) market(ctx context.Context) ([]collectors.MarketStat, error) {
	var usdmTickers []*futures.PriceChangeStats
	var coinmTickers []*delivery.PriceChangeStats
	var usdmInst, coinmInst []collectors.Instrument
	err := collectors.FanOut(ctx, 0,
		func(ctx context.Context) (err error) {
			usdmTickers, err = c.usdm.NewListPriceChangeStatsService().Do(ctx)
			return wrap("usdm ticker/24hr", err)
		},
		func(ctx context.Context) (err error) {
			coinmTickers, err = c.coinm.NewListPriceChangeStatsService().Do(ctx)
			return wrap("coinm ticker/24hr", err)
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
		stat, err := c.stat(in, t.LastPrice, t.QuoteVolume, 1, t.CloseTime)
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
		// COIN-M volume counts contracts of contractSize USD each.
		stat, err := c.stat(in, t.LastPrice, t.Volume, in.ContractSize, t.CloseTime)
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

func (c *Collector) stat(in collectors.Instrument, last, volume string, volumeUSD float64, closeTime int64) (collectors.MarketStat, error) {
	price, err := collectors.ParseFloat(last)
	if err != nil {
		return collectors.MarketStat{}, fmt.Errorf("%s lastPrice: %w", in.Symbol, err)
	}
	vol, err := collectors.ParseFloat(volume)
	if err != nil {
		return collectors.MarketStat{}, fmt.Errorf("%s volume: %w", in.Symbol, err)
	}
	return collectors.MarketStat{
		Exchange:     "binance",
		Symbol:       in.Symbol,
		Unified:      in.Unified,
		LastPrice:    price,
		Volume24hUSD: vol * volumeUSD,
		ObservedAt:   c.observed(closeTime),
	}, nil
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
			oi, err := c.usdm.NewGetOpenInterestService().Symbol(s.Symbol).Do(ctx)
			if err != nil {
				return wrap(endpoint, err)
			}
			v, err := collectors.ParseFloat(oi.OpenInterest)
			if err != nil {
				return wrap(endpoint, err)
			}
			// USDⓈ-M open interest is in base coin.
			s.OpenInterestUSD = v * s.LastPrice
			return nil
		})
	}
	return collectors.FanOut(ctx, c.cfg.Concurrency, tasks...)
}
