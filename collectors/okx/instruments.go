package okx

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// instrument is one row of /api/v5/public/instruments. Fields not read
// (instIdCode, futureSettlement, upcChg, ...) are left out so that their
// types never matter.
type instrument struct {
	InstType   string            `json:"instType"`
	InstID     string            `json:"instId"`
	InstFamily string            `json:"instFamily"`
	Uly        string            `json:"uly"`
	SettleCcy  string            `json:"settleCcy"`
	CtType     string            `json:"ctType"`
	CtVal      collectors.Number `json:"ctVal"`
	CtMult     collectors.Number `json:"ctMult"`
	Lever      collectors.Number `json:"lever"`
	ListTime   collectors.Number `json:"listTime"`
	TickSz     collectors.Number `json:"tickSz"`
	LotSz      collectors.Number `json:"lotSz"`
	MinSz      collectors.Number `json:"minSz"`
	State      string            `json:"state"`
	RuleType   string            `json:"ruleType"`
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
	f := collectors.Fields{Path: pathInstruments, ID: string(in.InstID)}
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
		ctMult = f.Float("ctMult", in.CtMult)
	}
	inst := collectors.Instrument{
		Exchange: "okx", Symbol: string(in.InstID), Unified: collectors.Unified(base, quote, settle),
		Base: base, Quote: quote, Settle: settle, Multiplier: 1,
		ContractType: collectors.Perpetual, NativeType: nativeType, Margin: margin,
		Status: normalStatus(string(in.State)), NativeStatus: string(in.State),
		ContractSize: f.Float("ctVal", in.CtVal) * ctMult,
		TickSize:     f.Float("tickSz", in.TickSz),
		LotSize:      f.Float("lotSz", in.LotSz),
		MinQty:       f.Float("minSz", in.MinSz),
		MaxLeverage:  f.Float("lever", in.Lever),
		ListedAt:     f.Millis("listTime", in.ListTime),
	}
	return inst, f.Err
}
