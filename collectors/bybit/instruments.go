package bybit

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/rivalwatch/rivalwatch/collectors"
)

const instrumentsPath = "/v5/market/instruments-info"

// integer reads a whole number, such as a retCode.
func integer(n collectors.Number) (int, error) {
	v, err := strconv.Atoi(string(n))
	if err != nil {
		return 0, &collectors.Error{Kind: collectors.ErrMalformed, Msg: fmt.Sprintf("not an integer: %q", string(n))}
	}
	return v, nil
}

type instrumentsPage struct {
	List           []instrument `json:"list"`
	NextPageCursor string       `json:"nextPageCursor"`
}

type instrument struct {
	Symbol         string            `json:"symbol"`
	ContractType   string            `json:"contractType"`
	Status         string            `json:"status"`
	BaseCoin       string            `json:"baseCoin"`
	QuoteCoin      string            `json:"quoteCoin"`
	SettleCoin     string            `json:"settleCoin"`
	LaunchTime     collectors.Number `json:"launchTime"`
	DeliveryTime   collectors.Number `json:"deliveryTime"`
	LeverageFilter struct {
		MaxLeverage collectors.Number `json:"maxLeverage"`
	} `json:"leverageFilter"`
	PriceFilter struct {
		TickSize collectors.Number `json:"tickSize"`
	} `json:"priceFilter"`
	LotSizeFilter struct {
		QtyStep          collectors.Number `json:"qtyStep"`
		MinOrderQty      collectors.Number `json:"minOrderQty"`
		MinNotionalValue collectors.Number `json:"minNotionalValue"`
	} `json:"lotSizeFilter"`
	FundingInterval  collectors.Number `json:"fundingInterval"` // minutes
	UpperFundingRate collectors.Number `json:"upperFundingRate"`
	LowerFundingRate collectors.Number `json:"lowerFundingRate"`
}

var statuses = map[string]collectors.Status{
	"PreLaunch":  collectors.StatusPrelaunch,
	"Trading":    collectors.StatusTrading,
	"Delivering": collectors.StatusSettling,
	"Closed":     collectors.StatusDelisted,
}

// instrumentList is one instruments-info query that is paged on its own.
type instrumentList struct {
	label    string // names the list in errors: "linear prelaunch"
	category string
	status   string // "" for Bybit's default, which returns Trading only
	required bool   // an empty answer is an error, not "nothing listed"
}

// instrumentLists are the queries a full listing takes: Bybit hides
// pre-market contracts unless asked for status=PreLaunch. The pre-market
// list may be empty; the linear and inverse lists never are (an inverse
// list silently empty twice would read as a dozen delistings).
var instrumentLists = []instrumentList{
	{label: "linear", category: "linear", required: true},
	{label: "inverse", category: "inverse", required: true},
	{label: "linear prelaunch", category: "linear", status: "PreLaunch"},
}

// instruments fetches every list concurrently and merges them, keeping the
// first of any symbol listed twice (a contract that turned from pre-market
// to trading between two requests shows in both).
func (c *Collector) instruments(ctx context.Context) ([]collectors.Instrument, error) {
	results := make([][]collectors.Instrument, len(instrumentLists))
	fns := make([]func(context.Context) error, len(instrumentLists))
	for i, l := range instrumentLists {
		fns[i] = func(ctx context.Context) error {
			var err error
			results[i], err = c.instrumentList(ctx, l)
			return err
		}
	}
	if err := collectors.FanOut(ctx, 0, fns...); err != nil {
		return nil, err
	}
	seen := make(map[string]bool)
	var out []collectors.Instrument
	for _, list := range results {
		for _, in := range list {
			if !seen[in.Symbol] {
				seen[in.Symbol] = true
				out = append(out, in)
			}
		}
	}
	return out, nil
}

// instrumentList fetches one list, once per sweep: the instruments,
// funding and market pulls all need it.
func (c *Collector) instrumentList(ctx context.Context, l instrumentList) ([]collectors.Instrument, error) {
	return collectors.Shared(ctx, "bybit instruments "+l.label, func(ctx context.Context) ([]collectors.Instrument, error) {
		return c.fetchInstrumentList(ctx, l)
	})
}

// fetchInstrumentList follows nextPageCursor until Bybit returns "".
func (c *Collector) fetchInstrumentList(ctx context.Context, l instrumentList) ([]collectors.Instrument, error) {
	q := url.Values{"category": {l.category}, "limit": {strconv.Itoa(c.limit)}}
	if l.status != "" {
		q.Set("status", l.status)
	}
	cursors := make(map[string]bool)
	var out []collectors.Instrument
	for page := 1; ; page++ {
		if page > maxPages {
			return nil, &collectors.Error{Kind: collectors.ErrMalformed, Path: instrumentsPath,
				Msg: fmt.Sprintf("%s instruments: still more after %d pages of %d; the cursor never ends", l.label, maxPages, c.limit)}
		}
		var res instrumentsPage
		if _, err := c.get(ctx, instrumentsPath, q, &res); err != nil {
			return nil, fmt.Errorf("%s instruments page %d: %w", l.label, page, err)
		}
		for _, raw := range res.List {
			in, err := raw.normalize(l.category)
			if err != nil {
				return nil, fmt.Errorf("%s instruments page %d: %w", l.label, page, err)
			}
			out = append(out, in)
		}
		next := res.NextPageCursor
		if next == "" {
			break
		}
		if cursors[next] {
			return nil, &collectors.Error{Kind: collectors.ErrMalformed, Path: instrumentsPath,
				Msg: fmt.Sprintf("%s instruments page %d: the cursor repeats an earlier page's; paging would loop", l.label, page)}
		}
		cursors[next] = true
		q.Set("cursor", next)
	}
	if len(out) == 0 && l.required {
		return nil, &collectors.Error{Kind: collectors.ErrEmpty, Path: instrumentsPath,
			Msg: l.label + " instruments: the exchange returned an empty list"}
	}
	return out, nil
}

func (in instrument) normalize(category string) (collectors.Instrument, error) {
	if in.Symbol == "" {
		return collectors.Instrument{}, &collectors.Error{Kind: collectors.ErrMalformed, Msg: "an instrument has no symbol"}
	}
	f := collectors.Fields{ID: in.Symbol}
	out := collectors.Instrument{
		Exchange:             "bybit",
		Symbol:               in.Symbol,
		Base:                 in.BaseCoin,
		Quote:                in.QuoteCoin,
		Settle:               in.SettleCoin,
		Multiplier:           collectors.Multiplier(in.BaseCoin),
		ContractType:         collectors.Perpetual,
		NativeType:           in.ContractType,
		Margin:               collectors.Linear,
		NativeStatus:         in.Status,
		ContractSize:         1, // one coin (linear) or one USD (inverse) per contract
		TickSize:             f.Float("tickSize", in.PriceFilter.TickSize),
		LotSize:              f.Float("qtyStep", in.LotSizeFilter.QtyStep),
		MinQty:               f.Float("minOrderQty", in.LotSizeFilter.MinOrderQty),
		MinNotional:          f.Float("minNotionalValue", in.LotSizeFilter.MinNotionalValue),
		MaxLeverage:          f.Float("maxLeverage", in.LeverageFilter.MaxLeverage),
		FundingIntervalHours: f.Float("fundingInterval", in.FundingInterval) / 60,
		FundingCap:           f.Float("upperFundingRate", in.UpperFundingRate),
		FundingFloor:         f.Float("lowerFundingRate", in.LowerFundingRate),
		ListedAt:             f.Millis("launchTime", in.LaunchTime),
		// On a perpetual a delivery time is its scheduled delisting.
		DeliveryAt: f.Millis("deliveryTime", in.DeliveryTime),
	}
	if f.Err != nil {
		return collectors.Instrument{}, f.Err
	}
	// LinearFutures and InverseFutures are dated; so is any future
	// "…Futures" type Bybit adds. Everything else is taken as perpetual.
	if strings.Contains(in.ContractType, "Futures") {
		out.ContractType = collectors.Delivery
	}
	if category == "inverse" {
		out.Margin, out.Quote, out.Settle = collectors.Inverse, "USD", in.BaseCoin
	}
	out.Status = statuses[in.Status]
	if out.Status == "" {
		out.Status = collectors.StatusUnknown
	}
	out.Unified = collectors.Unified(out.Base, out.Quote, out.Settle)
	return out, nil
}
