package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/diff"
	"github.com/rivalwatch/rivalwatch/store"
)

// sweepResult is one pull's outcome as stored.
type sweepResult struct {
	snap  collectors.Snapshot
	saved store.Saved
	err   error // storing failed
}

// failed reports whether the pull or its storing failed.
func (r sweepResult) failed() bool {
	return r.err != nil || r.saved.Status == store.StatusFailed || r.saved.Status == store.StatusIncomplete
}

// sweep pulls every (collector, kind) pair at once and stores each
// snapshot in its own transaction, whatever the others did.
func sweep(ctx context.Context, st *store.Store, cs []collectors.Collector, kinds []collectors.Kind, now func() time.Time) []sweepResult {
	snaps := collectors.Sweep(ctx, cs, kinds, now)
	out := make([]sweepResult, len(snaps))
	for i, snap := range snaps {
		saved, err := st.Save(ctx, snap)
		out[i] = sweepResult{snap: snap, saved: saved, err: err}
	}
	return out
}

// printSweep writes one line per exchange and kind.
func printSweep(w io.Writer, results []sweepResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "EXCHANGE\tKIND\tRESULT\tITEMS\tREQUESTS\tTIME\tDETAIL")
	for _, r := range results {
		s := r.snap
		status, detail := string(r.saved.Status), r.saved.Reason
		switch {
		case r.err != nil:
			status, detail = "not stored", r.err.Error()
		case s.Err != nil:
			detail = s.Err.Error()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\n", s.Exchange, s.Kind, status, s.Records.Len(), s.Requests,
			s.Duration.Round(time.Millisecond), detail)
	}
	tw.Flush()
}

// Volume and open-interest spikes compare against the trailing week,
// sampled every 4 hours (42 points at most).
const (
	spikeWindow   = 7 * 24 * time.Hour
	spikeSampling = 4 * time.Hour
)

// differ turns stored runs into change events. It keeps the snapshots the
// last pass read, which the next pass mostly needs again (each run is
// compared with its predecessor).
type differ struct {
	st    *store.Store
	cfg   diff.Config
	cache map[int64]collectors.Records
	used  map[int64]bool
}

func newDiffer(st *store.Store, cfg diff.Config) *differ {
	return &differ{st: st, cfg: cfg, cache: map[int64]collectors.Records{}}
}

// pending compares every complete run not compared yet, oldest first, and
// stores the events. Re-running finds nothing new: event IDs are stable.
func (d *differ) pending(ctx context.Context) (int, error) {
	runs, err := d.st.PendingRuns(ctx)
	if err != nil {
		return 0, err
	}
	d.used = map[int64]bool{}
	defer func() {
		for id := range d.cache {
			if !d.used[id] {
				delete(d.cache, id)
			}
		}
	}()
	total := 0
	for _, r := range runs {
		changes, err := d.run(ctx, r)
		if err != nil {
			return total, fmt.Errorf("compare run %d (%s %s): %w", r.RunID, r.Exchange, r.Kind, err)
		}
		n, err := d.st.SaveChanges(ctx, changes)
		if err != nil {
			return total, err
		}
		if err := d.st.MarkDiffed(ctx, r.RunID); err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// run computes the events one complete run brings.
func (d *differ) run(ctx context.Context, r store.Run) ([]diff.Change, error) {
	switch r.Kind {
	case collectors.KindInstruments:
		snaps, err := d.history(ctx, r.Exchange, r.Kind, r.StartedAt, d.cfg.DelistAfter+1)
		if err != nil {
			return nil, err
		}
		return diff.Listings(d.cfg, r.Exchange, snaps), nil
	case collectors.KindFunding:
		snaps, err := d.history(ctx, r.Exchange, r.Kind, r.StartedAt, 2)
		if err != nil || len(snaps) < 2 {
			return nil, err
		}
		prev, next := snaps[0], snaps[1]
		changes := diff.Funding(d.cfg, r.Exchange, prev, next)
		// Divergence: this exchange's new funding against every other
		// exchange's newest, before and after this run.
		before, after := map[string]diff.Snap{r.Exchange: prev}, map[string]diff.Snap{r.Exchange: next}
		for _, ex := range exchangeNames {
			if ex == r.Exchange {
				continue
			}
			other, err := d.history(ctx, ex, r.Kind, r.StartedAt, 1)
			if err != nil {
				return nil, err
			}
			if len(other) == 1 {
				before[ex], after[ex] = other[0], other[0]
			}
		}
		return append(changes, diff.Divergence(d.cfg, before, after)...), nil
	case collectors.KindMarket:
		snaps, err := d.history(ctx, r.Exchange, r.Kind, r.StartedAt, 2)
		if err != nil || len(snaps) < 2 {
			return nil, err
		}
		prev, next := snaps[0], snaps[1]
		series, err := d.st.MarketSeries(ctx, r.Exchange, next.At.Add(-spikeWindow), next.At, spikeSampling)
		if err != nil {
			return nil, err
		}
		return diff.Spikes(d.cfg, r.Exchange, series, prev, next), nil
	}
	return nil, nil
}

// history loads the last n complete snapshots of (exchange, kind) taken
// at or before until, oldest first.
func (d *differ) history(ctx context.Context, exchange string, kind collectors.Kind, until time.Time, n int) ([]diff.Snap, error) {
	refs, err := d.st.CompleteRuns(ctx, exchange, kind, until, n)
	if err != nil {
		return nil, err
	}
	out := make([]diff.Snap, 0, len(refs))
	for _, ref := range refs {
		d.used[ref.SnapshotID] = true
		recs, ok := d.cache[ref.SnapshotID]
		if !ok {
			if recs, err = d.st.Records(ctx, ref.SnapshotID); err != nil {
				return nil, err
			}
			d.cache[ref.SnapshotID] = recs
		}
		out = append(out, diff.Snap{ID: ref.SnapshotID, At: ref.StartedAt, Records: recs})
	}
	return out, nil
}
