package okx

import (
	"context"
	"fmt"
	"net/url"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// ticker is one row of /api/v5/market/tickers: vol24h in contracts,
// volCcy24h in coins.
type ticker struct {
	InstID    string            `json:"instId"`
	Last      collectors.Number `json:"last"`
	Vol24h    collectors.Number `json:"vol24h"`
	VolCcy24h collectors.Number `json:"volCcy24h"`
	TS        collectors.Number `json:"ts"`
}

// openInterest is one row of /api/v5/public/open-interest; oi is in
// contracts.
type openInterest struct {
	InstID string            `json:"instId"`
	OI     collectors.Number `json:"oi"`
}

// market joins tickers, open interest and instruments (for ctVal), read
// concurrently.
func (c *Collector) market(ctx context.Context) ([]collectors.MarketStat, error) {
	var (
		tickers []ticker
		ois     []openInterest
		insts   []instrument
	)
	swap := url.Values{"instType": {"SWAP"}}
	err := collectors.FanOut(ctx, 0,
		func(ctx context.Context) error { return c.get(ctx, pathTickers, swap, &tickers) },
		func(ctx context.Context) error { return c.get(ctx, pathOpenInterest, swap, &ois) },
		func(ctx context.Context) (err error) { insts, err = c.fetchInstruments(ctx); return err },
	)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]collectors.Instrument, len(insts))
	for _, in := range insts {
		inst, err := toInstrument(in)
		if err != nil {
			return nil, err
		}
		byID[in.InstID] = inst
	}
	oiByID := make(map[string]collectors.Number, len(ois))
	for _, oi := range ois {
		oiByID[oi.InstID] = oi.OI
	}
	out := make([]collectors.MarketStat, 0, len(tickers))
	for _, t := range tickers {
		inst, ok := byID[t.InstID]
		if !ok {
			return nil, &collectors.Error{Kind: collectors.ErrMalformed, Path: pathTickers,
				Msg: fmt.Sprintf("ticker %s is missing from the instruments list (listed between the requests?)", t.InstID)}
		}
		f := collectors.Fields{Path: pathTickers, ID: string(t.InstID)}
		last := f.Float("last", t.Last)
		var volume, oiUSD float64
		if inst.Margin == collectors.Inverse {
			volume = f.Float("vol24h", t.Vol24h) * inst.ContractSize
			oiUSD = f.Float("oi", oiByID[t.InstID]) * inst.ContractSize
		} else {
			volume = f.Float("volCcy24h", t.VolCcy24h) * last
			oiUSD = f.Float("oi", oiByID[t.InstID]) * inst.ContractSize * last
		}
		observed := c.observed(f.Millis("ts", t.TS))
		if f.Err != nil {
			return nil, f.Err
		}
		out = append(out, collectors.MarketStat{
			Exchange: "okx", Symbol: inst.Symbol, Unified: inst.Unified,
			LastPrice: last, Volume24hUSD: volume, OpenInterestUSD: oiUSD, ObservedAt: observed,
		})
	}
	return out, nil
}
