package okx

import (
	"context"
	"fmt"
	"net/url"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// fundingRate is one row of /api/v5/public/funding-rate.
type fundingRate struct {
	InstID          string            `json:"instId"`
	FundingRate     collectors.Number `json:"fundingRate"`
	FundingTime     collectors.Number `json:"fundingTime"` // the upcoming settlement
	PrevFundingTime collectors.Number `json:"prevFundingTime"`
	NextFundingTime collectors.Number `json:"nextFundingTime"` // the one after fundingTime
	MaxFundingRate  collectors.Number `json:"maxFundingRate"`
	MinFundingRate  collectors.Number `json:"minFundingRate"`
	TS              collectors.Number `json:"ts"`
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
	f := collectors.Fields{Path: pathFundingRate, ID: string(fr.InstID)}
	base, quote, ok := pair(string(fr.InstID))
	if !ok {
		return collectors.Funding{}, &collectors.Error{Kind: collectors.ErrMalformed, Path: pathFundingRate,
			Msg: fmt.Sprintf("instId %q is not BASE-QUOTE-SWAP", fr.InstID)}
	}
	settle := quote
	if quote == "USD" {
		settle = base
	}
	at := f.Millis("fundingTime", fr.FundingTime)
	prev := f.Millis("prevFundingTime", fr.PrevFundingTime)
	next := f.Millis("nextFundingTime", fr.NextFundingTime)
	var interval float64
	switch {
	case !at.IsZero() && !prev.IsZero() && at.After(prev):
		interval = at.Sub(prev).Hours()
	case !at.IsZero() && next.After(at):
		interval = next.Sub(at).Hours()
	}
	rec := collectors.Funding{
		Exchange: "okx", Symbol: string(fr.InstID), Unified: collectors.Unified(base, quote, settle),
		Rate:          f.Float("fundingRate", fr.FundingRate),
		IntervalHours: interval,
		Cap:           f.Float("maxFundingRate", fr.MaxFundingRate),
		Floor:         f.Float("minFundingRate", fr.MinFundingRate),
		NextFundingAt: at,
		ObservedAt:    c.observed(f.Millis("ts", fr.TS)),
	}
	return rec, f.Err
}
