package pipeline

import (
	"context"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/store"
)

// Result is one pull's outcome as stored.
type Result struct {
	Snap  collectors.Snapshot
	Saved store.Saved
	Err   error // storing failed
}

// Failed reports whether the pull or its storing failed.
func (r Result) Failed() bool {
	return r.Err != nil || r.Saved.Status == store.StatusFailed || r.Saved.Status == store.StatusIncomplete
}

// Collect pulls every (collector, kind) pair the collectors publish, all
// at once, and stores each snapshot in its own transaction as soon as its
// pull ends, whatever the others do. Results come in collector order, then
// kind order. A pull that has answered is stored even when ctx ends
// meanwhile (Ctrl-C): only the pulls still waiting are lost, and they are
// recorded as interrupted.
func Collect(ctx context.Context, st Store, cs []collectors.Collector, kinds []collectors.Kind, now func() time.Time) []Result {
	type key struct {
		exchange string
		kind     collectors.Kind
	}
	results := make(chan Result, len(cs)*len(kinds))
	snaps := collectors.Sweep(ctx, cs, kinds, now, func(snap collectors.Snapshot) {
		s, err := st.Save(context.WithoutCancel(ctx), snap)
		results <- Result{Snap: snap, Saved: s, Err: err}
	})
	close(results)
	byPull := make(map[key]Result, len(snaps))
	for r := range results {
		byPull[key{r.Snap.Exchange, r.Snap.Kind}] = r
	}
	out := make([]Result, len(snaps))
	for i, snap := range snaps {
		out[i] = byPull[key{snap.Exchange, snap.Kind}]
	}
	return out
}
