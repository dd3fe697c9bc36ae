package okx

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// text decodes a JSON string, and also a bare number, so that a field OKX
// turns from "100" into 100 one day does not fail the pull.
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		err := json.Unmarshal(b, &s)
		*t = text(s)
		return err
	}
	if string(b) == "null" {
		*t = ""
		return nil
	}
	*t = text(b)
	return nil
}

// instrument is one row of /api/v5/public/instruments. Fields not read
// (instIdCode, futureSettlement, upcChg, ...) are left out so that their
// types never matter.
type instrument struct {
	InstType   text `json:"instType"`
	InstID     text `json:"instId"`
	InstFamily text `json:"instFamily"`
	Uly        text `json:"uly"`
	SettleCcy  text `json:"settleCcy"`
	CtType     text `json:"ctType"`
	CtVal      text `json:"ctVal"`
	CtMult     text `json:"ctMult"`
	Lever      text `json:"lever"`
	ListTime   text `json:"listTime"`
	TickSz     text `json:"tickSz"`
	LotSz      text `json:"lotSz"`
	MinSz      text `json:"minSz"`
	State      text `json:"state"`
	RuleType   text `json:"ruleType"`
}

// fundingRate is one row of /api/v5/public/funding-rate.
type fundingRate struct {
	InstID          text `json:"instId"`
	FundingRate     text `json:"fundingRate"`
	FundingTime     text `json:"fundingTime"` // the upcoming settlement
	PrevFundingTime text `json:"prevFundingTime"`
	NextFundingTime text `json:"nextFundingTime"` // the one after fundingTime
	MaxFundingRate  text `json:"maxFundingRate"`
	MinFundingRate  text `json:"minFundingRate"`
	TS              text `json:"ts"`
}

// ticker is one row of /api/v5/market/tickers: vol24h in contracts,
// volCcy24h in coins.
type ticker struct {
	InstID    text `json:"instId"`
	Last      text `json:"last"`
	Vol24h    text `json:"vol24h"`
	VolCcy24h text `json:"volCcy24h"`
	TS        text `json:"ts"`
}

// openInterest is one row of /api/v5/public/open-interest; oi is in
// contracts.
type openInterest struct {
	InstID text `json:"instId"`
	OI     text `json:"oi"`
}

// fields parses one row's numbers and times, keeping the first failure
// with the row and field it came from.
type fields struct {
	path, id string
	err      error
}

func (f *fields) num(name string, v text) float64 {
	n, err := collectors.ParseFloat(string(v))
	if err != nil {
		f.fail(fmt.Sprintf("%s %s is not a number: %q", f.id, name, v))
	}
	return n
}

func (f *fields) millis(name string, v text) time.Time {
	t, err := collectors.ParseMillis(string(v))
	if err != nil {
		f.fail(fmt.Sprintf("%s %s is not a millisecond timestamp: %q", f.id, name, v))
	}
	return t
}

func (f *fields) fail(msg string) {
	if f.err == nil {
		f.err = &collectors.Error{Kind: collectors.ErrMalformed, Path: f.path, Msg: msg}
	}
}

// pair splits "BTC-USDT" or "BTC-USDT-SWAP" into base and quote.
func pair(s string) (base, quote string, ok bool) {
	parts := strings.Split(s, "-")
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return "", "", false
	}
	return parts[0], parts[1], true
}

// normalStatus maps OKX's instrument state; a state this code does not
// know is kept as unknown rather than guessed.
func normalStatus(state string) collectors.Status {
	switch state {
	case "live":
		return collectors.StatusTrading
	case "suspend":
		return collectors.StatusSuspended
	case "preopen":
		return collectors.StatusPrelaunch
	}
	return collectors.StatusUnknown
}

// fetchInstruments reads the SWAP list, once per sweep: the instruments,
// market and fallback funding pulls all need it.
func (c *Collector) fetchInstruments(ctx context.Context) ([]instrument, error) {
	return collectors.Shared(ctx, "okx instruments", func(ctx context.Context) ([]instrument, error) {
		var data []instrument
		err := c.get(ctx, pathInstruments, url.Values{"instType": {"SWAP"}}, &data)
		return data, err
	})
}

func (c *Collector) instruments(ctx context.Context) ([]collectors.Instrument, error) {
	data, err := c.fetchInstruments(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]collectors.Instrument, 0, len(data))
	for _, in := range data {
		inst, err := toInstrument(in)
		if err != nil {
			return nil, err
		}
		out = append(out, inst)
	}
	return out, nil
}

// toInstrument normalizes one OKX swap. ContractSize is ctVal × ctMult:
// coins per contract for linear swaps, USD for inverse ones. LotSize and
// MinQty stay in contracts, as OKX publishes them. OKX lists plain coins
// (PEPE with a large ctVal), so Multiplier is always 1.
func toInstrument(in instrument) (collectors.Instrument, error) {
	f := fields{path: pathInstruments, id: string(in.InstID)}
	family := string(in.InstFamily)
	if family == "" {
		family = string(in.Uly)
	}
	base, quote, ok := pair(family)
	if !ok {
		if base, quote, ok = pair(string(in.InstID)); !ok {
			return collectors.Instrument{}, &collectors.Error{Kind: collectors.ErrMalformed, Path: pathInstruments,
				Msg: fmt.Sprintf("instrument %q has no BASE-QUOTE family", in.InstID)}
		}
	}
	margin := collectors.Linear
	if in.CtType == "inverse" {
		margin = collectors.Inverse
	}
	settle := string(in.SettleCcy)
	if settle == "" {
		settle = quote
		if margin == collectors.Inverse {
			settle = base
		}
	}
	nativeType := string(in.InstType)
	if in.RuleType == "pre_market" {
		// Pre-market swaps trade before spot exists; the switch to a
		// normal swap is worth a change event, so it is kept in the type.
		nativeType += "/pre_market"
	}
	ctMult := 1.0
	if in.CtMult != "" {
		ctMult = f.num("ctMult", in.CtMult)
	}
	inst := collectors.Instrument{
		Exchange: "okx", Symbol: string(in.InstID), Unified: collectors.Unified(base, quote, settle),
		Base: base, Quote: quote, Settle: settle, Multiplier: 1,
		ContractType: collectors.Perpetual, NativeType: nativeType, Margin: margin,
		Status: normalStatus(string(in.State)), NativeStatus: string(in.State),
		ContractSize: f.num("ctVal", in.CtVal) * ctMult,
		TickSize:     f.num("tickSz", in.TickSz),
		LotSize:      f.num("lotSz", in.LotSz),
		MinQty:       f.num("minSz", in.MinSz),
		MaxLeverage:  f.num("lever", in.Lever),
		ListedAt:     f.millis("listTime", in.ListTime),
	}
	return inst, f.err
}

// funding reads every swap's funding with instId=ANY. OKX has refused
// ANY before (HTTP 400, or a non-zero code), so a refusal falls back to
// one request per live instrument.
func (c *Collector) funding(ctx context.Context) ([]collectors.Funding, error) {
	var data []fundingRate
	err := c.get(ctx, pathFundingRate, url.Values{"instId": {"ANY"}}, &data)
	if err != nil {
		if k := collectors.KindOf(err); k != collectors.ErrRejected && k != collectors.ErrAPI {
			return nil, err
		}
		if data, err = c.fundingEach(ctx); err != nil {
			return nil, fmt.Errorf("per-instrument fallback after instId=ANY was refused: %w", err)
		}
	}
	out := make([]collectors.Funding, 0, len(data))
	for _, fr := range data {
		rec, err := c.toFunding(fr)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// fundingEach asks for each live instrument's funding, at most
// Concurrency at a time; any failure fails the whole pull.
func (c *Collector) fundingEach(ctx context.Context) ([]fundingRate, error) {
	insts, err := c.fetchInstruments(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, in := range insts {
		if in.State == "live" {
			ids = append(ids, string(in.InstID))
		}
	}
	if len(ids) == 0 {
		return nil, &collectors.Error{Kind: collectors.ErrEmpty, Path: pathInstruments,
			Msg: fmt.Sprintf("none of %d instruments is live", len(insts))}
	}
	rows := make([]fundingRate, len(ids))
	tasks := make([]func(context.Context) error, len(ids))
	for i, id := range ids {
		tasks[i] = func(ctx context.Context) error {
			var data []fundingRate
			if err := c.get(ctx, pathFundingRate, url.Values{"instId": {id}}, &data); err != nil {
				return fmt.Errorf("%s: %w", id, err)
			}
			rows[i] = data[0]
			return nil
		}
	}
	if err := collectors.FanOut(ctx, c.cfg.Concurrency, tasks...); err != nil {
		return nil, err
	}
	return rows, nil
}

// toFunding normalizes one funding row. OKX has no interval field: it is
// the gap between the previous and the upcoming settlement, else between
// the upcoming one and the one after.
func (c *Collector) toFunding(fr fundingRate) (collectors.Funding, error) {
	f := fields{path: pathFundingRate, id: string(fr.InstID)}
	base, quote, ok := pair(string(fr.InstID))
	if !ok {
		return collectors.Funding{}, &collectors.Error{Kind: collectors.ErrMalformed, Path: pathFundingRate,
			Msg: fmt.Sprintf("instId %q is not BASE-QUOTE-SWAP", fr.InstID)}
	}
	settle := quote
	if quote == "USD" {
		settle = base
	}
	at := f.millis("fundingTime", fr.FundingTime)
	prev := f.millis("prevFundingTime", fr.PrevFundingTime)
	next := f.millis("nextFundingTime", fr.NextFundingTime)
	var interval float64
	switch {
	case !at.IsZero() && !prev.IsZero() && at.After(prev):
		interval = at.Sub(prev).Hours()
	case !at.IsZero() && next.After(at):
		interval = next.Sub(at).Hours()
	}
	rec := collectors.Funding{
		Exchange: "okx", Symbol: string(fr.InstID), Unified: collectors.Unified(base, quote, settle),
		Rate:          f.num("fundingRate", fr.FundingRate),
		IntervalHours: interval,
		Cap:           f.num("maxFundingRate", fr.MaxFundingRate),
		Floor:         f.num("minFundingRate", fr.MinFundingRate),
		NextFundingAt: at,
		ObservedAt:    c.observed(f.millis("ts", fr.TS)),
	}
	return rec, f.err
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
	byID := make(map[text]collectors.Instrument, len(insts))
	for _, in := range insts {
		inst, err := toInstrument(in)
		if err != nil {
			return nil, err
		}
		byID[in.InstID] = inst
	}
	oiByID := make(map[text]text, len(ois))
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
		f := fields{path: pathTickers, id: string(t.InstID)}
		last := f.num("last", t.Last)
		var volume, oiUSD float64
		if inst.Margin == collectors.Inverse {
			volume = f.num("vol24h", t.Vol24h) * inst.ContractSize
			oiUSD = f.num("oi", oiByID[t.InstID]) * inst.ContractSize
		} else {
			volume = f.num("volCcy24h", t.VolCcy24h) * last
			oiUSD = f.num("oi", oiByID[t.InstID]) * inst.ContractSize * last
		}
		observed := c.observed(f.millis("ts", t.TS))
		if f.err != nil {
			return nil, f.err
		}
		out = append(out, collectors.MarketStat{
			Exchange: "okx", Symbol: inst.Symbol, Unified: inst.Unified,
			LastPrice: last, Volume24hUSD: volume, OpenInterestUSD: oiUSD, ObservedAt: observed,
		})
	}
	return out, nil
}

// observed is the exchange's timestamp, else our fetch time.
func (c *Collector) observed(ts time.Time) time.Time {
	if ts.IsZero() {
		return c.now().UTC()
	}
	return ts
}
