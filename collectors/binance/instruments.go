package binance

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// perpetualDelivery is the deliveryDate Binance gives perpetuals
// (2100-12-25): "never".
const perpetualDelivery = 4133404800000

// instruments pulls both exchangeInfo documents; either failing fails the
// pull, since a missing half would look like mass delistings.
func (c *Collector) instruments(ctx context.Context) ([]collectors.Instrument, error) {
	var usdm, coinm []collectors.Instrument
	err := collectors.FanOut(ctx, 0,
		func(ctx context.Context) (err error) { usdm, err = c.usdmInstruments(ctx); return err },
		func(ctx context.Context) (err error) { coinm, err = c.coinmInstruments(ctx); return err },
	)
	if err != nil {
		return nil, err
	}
	return slices.Concat(usdm, coinm), nil // a copy: the lists are shared with the market pull
}

// usdmInstruments and coinmInstruments read exchangeInfo once per sweep:
// the instruments and market pulls both need it.
func (c *Collector) usdmInstruments(ctx context.Context) ([]collectors.Instrument, error) {
	return collectors.Shared(ctx, "binance usdm instruments", c.fetchUSDMInstruments)
}

func (c *Collector) coinmInstruments(ctx context.Context) ([]collectors.Instrument, error) {
	return collectors.Shared(ctx, "binance coinm instruments", c.fetchCOINMInstruments)
}

func (c *Collector) fetchUSDMInstruments(ctx context.Context) ([]collectors.Instrument, error) {
	const endpoint = "usdm exchangeInfo"
	info, err := c.exchangeInfo(ctx, c.cfg.FuturesURL+"/fapi/v1/exchangeInfo")
	if err != nil {
		return nil, wrap(endpoint, err)
	}
	if len(info.Symbols) == 0 {
		return nil, wrap(endpoint, empty("USDⓈ-M symbols"))
	}
	out := make([]collectors.Instrument, 0, len(info.Symbols))
	for _, s := range info.Symbols {
		in, err := instrument(listing{
			symbol: s.Symbol, contractType: s.ContractType, status: s.Status,
			base: s.BaseAsset, quote: s.QuoteAsset, settle: cmp.Or(s.MarginAsset, s.QuoteAsset),
			deliveryDate: s.DeliveryDate, onboardDate: s.OnboardDate,
			margin: collectors.Linear, contractSize: 1, filters: s.Filters,
		})
		if err != nil {
			return nil, wrap(endpoint, err)
		}
		out = append(out, in)
	}
	return out, nil
}

// fetchCOINMInstruments maps COIN-M contracts. An empty list is an error,
// as on USDⓈ-M: the COIN-M contracts are a few dozen of some 700, too few
// for the store's plausibility check to notice them vanish, and twice
// vanished would read as their delisting.
func (c *Collector) fetchCOINMInstruments(ctx context.Context) ([]collectors.Instrument, error) {
	const endpoint = "coinm exchangeInfo"
	info, err := c.exchangeInfo(ctx, c.cfg.DeliveryURL+"/dapi/v1/exchangeInfo")
	if err != nil {
		return nil, wrap(endpoint, err)
	}
	if len(info.Symbols) == 0 {
		return nil, wrap(endpoint, empty("COIN-M symbols"))
	}
	out := make([]collectors.Instrument, 0, len(info.Symbols))
	for _, s := range info.Symbols {
		in, err := instrument(listing{
			symbol: s.Symbol, contractType: s.ContractType, status: s.ContractStatus,
			base: s.BaseAsset, quote: s.QuoteAsset, settle: cmp.Or(s.MarginAsset, s.BaseAsset),
			deliveryDate: s.DeliveryDate, onboardDate: s.OnboardDate,
			margin: collectors.Inverse, contractSize: s.ContractSize, filters: s.Filters,
		})
		if err != nil {
			return nil, wrap(endpoint, err)
		}
		out = append(out, in)
	}
	return out, nil
}

// exchangeInfo is the part of an exchangeInfo answer (USDⓈ-M and COIN-M
// share it) that the instruments read. It is decoded here, not through
// go-binance's structs, which decode every field of every symbol (order
// types, every filter as a map): that was the largest single share of a
// sweep's CPU.
type exchangeInfo struct {
	Symbols []struct {
		Symbol         string   `json:"symbol"`
		ContractType   string   `json:"contractType"`
		Status         string   `json:"status"`         // USDⓈ-M
		ContractStatus string   `json:"contractStatus"` // COIN-M
		BaseAsset      string   `json:"baseAsset"`
		QuoteAsset     string   `json:"quoteAsset"`
		MarginAsset    string   `json:"marginAsset"`
		DeliveryDate   int64    `json:"deliveryDate"`
		OnboardDate    int64    `json:"onboardDate"`
		ContractSize   float64  `json:"contractSize"`
		Filters        []filter `json:"filters"`
	} `json:"symbols"`
}

// filter is one symbol filter; the sizes are read as Binance sends them
// (strings), or as numbers from mirrors and older payloads.
type filter struct {
	FilterType string            `json:"filterType"`
	TickSize   collectors.Number `json:"tickSize"`
	StepSize   collectors.Number `json:"stepSize"`
	MinQty     collectors.Number `json:"minQty"`
	Notional   collectors.Number `json:"notional"`
}

// exchangeInfo fetches and decodes one exchangeInfo document.
func (c *Collector) exchangeInfo(ctx context.Context, url string) (exchangeInfo, error) {
	var info exchangeInfo
	return info, c.getJSON(ctx, url, &info)
}

// listing is what futures.Symbol and delivery.Symbol have in common.
type listing struct {
	symbol, contractType, status string
	base, quote, settle          string
	deliveryDate, onboardDate    int64
	margin                       string
	contractSize                 float64
	filters                      []filter
}

func instrument(l listing) (collectors.Instrument, error) {
	in := collectors.Instrument{
		Exchange:     "binance",
		Symbol:       l.symbol,
		Base:         l.base,
		Quote:        l.quote,
		Settle:       l.settle,
		Multiplier:   collectors.Multiplier(l.base),
		ContractType: contractType(l.contractType, l.deliveryDate),
		NativeType:   l.contractType,
		Margin:       l.margin,
		Status:       status(l.status),
		NativeStatus: l.status,
		ContractSize: l.contractSize,
		ListedAt:     collectors.Millis(l.onboardDate),
	}
	// A perpetual with a real delivery date is being delisted
	// (PERPETUAL_DELIVERING): the date is when it settles, so keep it.
	if l.deliveryDate < perpetualDelivery {
		in.DeliveryAt = collectors.Millis(l.deliveryDate)
	}
	in.Unified = unified(in)
	for _, f := range []struct {
		dst             *float64
		filterType, key string
	}{
		{&in.TickSize, "PRICE_FILTER", "tickSize"},
		{&in.LotSize, "LOT_SIZE", "stepSize"},
		{&in.MinQty, "LOT_SIZE", "minQty"},
		{&in.MinNotional, "MIN_NOTIONAL", "notional"},
	} {
		v, err := filterValue(l.filters, f.filterType, f.key)
		if err != nil {
			return collectors.Instrument{}, fmt.Errorf("%s %s.%s: %w", l.symbol, f.filterType, f.key, err)
		}
		*f.dst = v
	}
	return in, nil
}

// unified is BASE/QUOTE:SETTLE, with ccxt's -YYMMDD suffix on delivery
// contracts so that a quarterly never joins with its perpetual.
func unified(in collectors.Instrument) string {
	u := collectors.Unified(in.Base, in.Quote, in.Settle)
	if in.ContractType == collectors.Delivery && !in.DeliveryAt.IsZero() {
		u += "-" + in.DeliveryAt.Format("060102")
	}
	return u
}

// status normalizes Binance's status (contractStatus on COIN-M). An unknown
// value is kept as StatusUnknown, never dropped.
func status(native string) collectors.Status {
	switch native {
	case "PENDING_TRADING":
		return collectors.StatusPrelaunch
	case "TRADING":
		return collectors.StatusTrading
	case "PRE_DELIVERING", "DELIVERING", "PRE_SETTLE", "SETTLING":
		return collectors.StatusSettling
	case "DELIVERED", "CLOSE":
		return collectors.StatusDelisted
	}
	return collectors.StatusUnknown
}

// contractType tells perpetuals from delivery contracts. Binance adds new
// perpetual flavours (TRADIFI_PERPETUAL) and sends "" on some
// PENDING_TRADING symbols, so values it does not recognise are judged by
// the delivery date: the 2100 sentinel means perpetual.
func contractType(native string, deliveryDate int64) string {
	switch {
	case strings.Contains(native, "PERPETUAL"):
		return collectors.Perpetual
	case strings.HasSuffix(native, "_MONTH"), strings.HasSuffix(native, "_QUARTER"):
		return collectors.Delivery
	case deliveryDate <= 0 || deliveryDate >= perpetualDelivery:
		return collectors.Perpetual
	}
	return collectors.Delivery
}

// filterValue reads one filter field; a missing filter or field is zero.
func filterValue(filters []filter, filterType, key string) (float64, error) {
	for _, f := range filters {
		if f.FilterType != filterType {
			continue
		}
		var v collectors.Number
		switch key {
		case "tickSize":
			v = f.TickSize
		case "stepSize":
			v = f.StepSize
		case "minQty":
			v = f.MinQty
		case "notional":
			v = f.Notional
		}
		return collectors.ParseFloat(string(v))
	}
	return 0, nil
}

// usdmQuotes are the quote assets of USDⓈ-M symbols, for deriving the
// unified symbol from the bare id that funding rows carry.
var usdmQuotes = []string{"USDT", "USDC", "FDUSD", "BUSD"}

// unifiedFromSymbol derives the unified symbol of a perpetual from its id
// alone: BTCUSDT is BTC/USDT:USDT, BTCUSD_PERP (COIN-M) BTC/USD:BTC. It
// returns "" for an id it cannot split, so the row is kept but joins
// nothing.
func unifiedFromSymbol(symbol string, inverse bool) string {
	if inverse {
		pair, ok := strings.CutSuffix(symbol, "_PERP")
		if base, found := strings.CutSuffix(pair, "USD"); ok && found && base != "" {
			return collectors.Unified(base, "USD", base)
		}
		return ""
	}
	for _, q := range usdmQuotes {
		if base, ok := strings.CutSuffix(symbol, q); ok && base != "" {
			return collectors.Unified(base, q, q)
		}
	}
	return ""
}
