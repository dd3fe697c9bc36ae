package pipeline

import (
	"context"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/reports"
)

// DigestInput gathers one UTC day's digest input: the day's events, the
// market picture at the end of that day, and the feeds' freshness. base
// carries what comes from configuration (house, playbook, stale-after);
// exchanges are the exchanges collected.
func DigestInput(ctx context.Context, st Reader, base reports.Input, exchanges []string, day time.Time) (reports.Input, error) {
	in := base
	end := day.Add(24 * time.Hour)
	in.Date = day
	changes, err := st.Changes(ctx, day, end)
	if err != nil {
		return in, err
	}
	in.Changes = changes
	for _, ex := range exchanges {
		for _, kind := range []collectors.Kind{collectors.KindFunding, collectors.KindMarket, collectors.KindFees} {
			refs, err := st.CompleteRuns(ctx, ex, kind, end, 1)
			if err != nil {
				return in, err
			}
			if len(refs) == 0 {
				continue
			}
			recs, err := st.Records(ctx, refs[0].SnapshotID)
			if err != nil {
				return in, err
			}
			in.Funding = append(in.Funding, recs.Funding...)
			in.Market = append(in.Market, recs.Market...)
			in.Fees = append(in.Fees, recs.Fees...)
		}
	}
	if err := announcementsInput(ctx, st, &in, exchanges, end); err != nil {
		return in, err
	}
	// A past day shows its feeds as they stood at its end, not as now.
	asOf := end
	if !base.GeneratedAt.IsZero() && base.GeneratedAt.Before(end) {
		asOf = base.GeneratedAt
	}
	in.FreshnessAsOf = asOf
	fresh, err := st.FreshnessAt(ctx, asOf)
	if err != nil {
		return in, err
	}
	for _, f := range fresh {
		in.Freshness = append(in.Freshness, reports.Freshness{Exchange: f.Exchange, Kind: string(f.Kind),
			LastComplete: f.LastComplete, LastRun: f.LastRun, FailuresSince: f.FailuresSince, LastError: f.LastError})
	}
	hooks, err := st.AlertHealth(ctx)
	if err != nil {
		return in, err
	}
	for _, h := range hooks {
		in.Webhooks = append(in.Webhooks, reports.WebhookHealth{Name: h.Webhook, Pending: h.Pending, Retrying: h.Retrying,
			Failed: h.Failed, FailingSince: h.FailingSince, LastDelivered: h.LastDelivered, LastError: h.LastError})
	}
	return in, nil
}
