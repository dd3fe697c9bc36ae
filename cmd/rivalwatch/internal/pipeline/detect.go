package pipeline

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/diff"
	"github.com/rivalwatch/rivalwatch/store"
)

// Volume and open-interest spikes compare against the trailing week,
// sampled every 4 hours (42 points at most).
const (
	spikeWindow   = 7 * 24 * time.Hour
	spikeSampling = 4 * time.Hour
)

// Detector turns stored runs into change events. It is safe for
// concurrent use: one pass runs at a time, and each run's events are
// stored together with the mark that the run was compared, so no run is
// compared twice and none is lost to a crash.
type Detector struct {
	st    Store
	cfg   diff.Config
	peers []string // every exchange collected, for cross-exchange events

	// Route names the webhooks each new event is queued to, in the
	// transaction that stores it; nil queues no alert. Set it before the
	// first pass.
	Route store.Route

	mu sync.Mutex
	// cache keeps the snapshots the last pass read, which the next pass
	// mostly needs again (each run is compared with its predecessor).
	cache map[int64]collectors.Records
	used  map[int64]bool
}

// NewDetector returns a Detector comparing with cfg; peers are the
// exchanges whose funding a divergence compares.
func NewDetector(st Store, cfg diff.Config, peers []string) *Detector {
	return &Detector{st: st, cfg: cfg, peers: peers, cache: map[int64]collectors.Records{}}
}

// Remember hands the detector the records of snapshots just stored, so the
// next pass compares them without reading them back: reading a full sweep
// back costs as much as writing it.
func (d *Detector) Remember(results []Result) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, r := range results {
		if r.Err == nil && r.Saved.Status == store.StatusNew {
			d.cache[r.Saved.SnapshotID] = r.Snap.Records
		}
	}
}

// detectors is the per-kind table: how a complete run of a kind becomes
// events. A kind without an entry produces none.
var detectors = map[collectors.Kind]func(d *Detector, ctx context.Context, r store.Run) ([]diff.Change, error){
	collectors.KindInstruments:   (*Detector).listings,
	collectors.KindFunding:       (*Detector).funding,
	collectors.KindMarket:        (*Detector).market,
	collectors.KindFees:          (*Detector).fees,
	collectors.KindAnnouncements: (*Detector).announcements,
	collectors.KindYield:         (*Detector).yield,
}

// Pending compares every complete run not compared yet, oldest first, and
// stores the events. Re-running finds nothing new: event IDs are stable.
func (d *Detector) Pending(ctx context.Context) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
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
		var changes []diff.Change
		if detect, ok := detectors[r.Kind]; ok {
			if changes, err = detect(d, ctx, r); err != nil {
				return total, fmt.Errorf("compare run %d (%s %s): %w", r.RunID, r.Exchange, r.Kind, err)
			}
		}
		n, err := d.st.SaveRunChanges(ctx, r.RunID, changes, d.Route)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

func (d *Detector) listings(ctx context.Context, r store.Run) ([]diff.Change, error) {
	snaps, err := d.history(ctx, r.Exchange, r.Kind, r.StartedAt, d.cfg.ListingWindow())
	if err != nil {
		return nil, err
	}
	elsewhere, err := d.listedElsewhere(ctx, r)
	if err != nil {
		return nil, err
	}
	return d.linkAnnounced(ctx, r.Exchange, diff.Listings(d.cfg, r.Exchange, snaps, elsewhere))
}

// sameSweep is how far apart the runs of one sweep may start.
const sameSweep = 10 * time.Minute

// listedElsewhere is every symbol the same sweep's funding and market pulls
// of the exchange still list: a symbol they quote has not been delisted,
// whatever a short instruments answer says.
func (d *Detector) listedElsewhere(ctx context.Context, r store.Run) (map[string]bool, error) {
	out := map[string]bool{}
	for _, kind := range []collectors.Kind{collectors.KindFunding, collectors.KindMarket} {
		snaps, err := d.history(ctx, r.Exchange, kind, r.StartedAt.Add(sameSweep), 1)
		if err != nil {
			return nil, err
		}
		if len(snaps) == 0 || snaps[0].At.Sub(r.StartedAt).Abs() > sameSweep {
			continue
		}
		for _, f := range snaps[0].Records.Funding {
			out[f.Symbol] = true
		}
		for _, m := range snaps[0].Records.Market {
			out[m.Symbol] = true
		}
	}
	return out, nil
}

func (d *Detector) funding(ctx context.Context, r store.Run) ([]diff.Change, error) {
	snaps, err := d.history(ctx, r.Exchange, r.Kind, r.StartedAt, 2)
	if err != nil || len(snaps) < 2 {
		return nil, err
	}
	prev, next := snaps[0], snaps[1]
	changes, err := d.notSeenLive(ctx, r.Exchange, prev.At, next.At, diff.Funding(d.cfg, r.Exchange, prev, next))
	if err != nil {
		return nil, err
	}
	// Divergence: this exchange's new funding against every peer's newest,
	// before and after this run.
	before, after := map[string]diff.Snap{r.Exchange: prev}, map[string]diff.Snap{r.Exchange: next}
	for _, ex := range d.peers {
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
}

// notSeenLive drops the funding.extreme events the live stream already
// reported between two sweeps: a crossing is one event, whichever saw it
// first. Stream events carry no snapshot.
func (d *Detector) notSeenLive(ctx context.Context, exchange string, from, to time.Time, changes []diff.Change) ([]diff.Change, error) {
	if !slices.ContainsFunc(changes, func(c diff.Change) bool { return c.Type == diff.FundingExtreme }) {
		return changes, nil
	}
	stored, err := d.st.Changes(ctx, from, to.Add(time.Millisecond))
	if err != nil {
		return nil, err
	}
	live := map[string]bool{}
	for _, c := range stored {
		if c.Type == diff.FundingExtreme && c.Exchange == exchange && c.SnapshotTo == 0 {
			live[c.Symbol] = true
		}
	}
	return slices.DeleteFunc(changes, func(c diff.Change) bool { return c.Type == diff.FundingExtreme && live[c.Symbol] }), nil
}

func (d *Detector) market(ctx context.Context, r store.Run) ([]diff.Change, error) {
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

// history loads the last n complete snapshots of (exchange, kind) taken
// at or before until, oldest first.
func (d *Detector) history(ctx context.Context, exchange string, kind collectors.Kind, until time.Time, n int) ([]diff.Snap, error) {
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

func (d *Detector) fees(ctx context.Context, r store.Run) ([]diff.Change, error) {
	snaps, err := d.history(ctx, r.Exchange, r.Kind, r.StartedAt, 2)
	if err != nil || len(snaps) < 2 {
		return nil, err
	}
	return diff.Fees(d.cfg, r.Exchange, snaps[0], snaps[1]), nil
}
