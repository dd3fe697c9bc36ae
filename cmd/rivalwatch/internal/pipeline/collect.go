package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/store"
)

// Result is one pull's outcome as stored.
type Result struct {
	Snap  collectors.Snapshot
	Saved store.Saved
	Err   error // storing failed
	// Held is the rate-limit hold the exchange was on: nothing was sent.
	Held *store.Hold
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
// recorded as interrupted. An exchange on a rate-limit hold (kept in the
// database from an earlier answer) is sent nothing: each of its pulls is a
// failed run saying until when.
func Collect(ctx context.Context, st Store, cs []collectors.Collector, kinds []collectors.Kind, now func() time.Time) []Result {
	type key struct {
		exchange string
		kind     collectors.Kind
	}
	holds, err := st.Holds(ctx, now())
	if err != nil {
		holds = nil // without the record, the transport still honours holds it hears of
	}
	byPull := map[key]Result{}
	var active []collectors.Collector
	for _, c := range cs {
		h, held := holds[c.Exchange()]
		if !held {
			active = append(active, c)
			continue
		}
		for _, k := range kinds {
			if !collectors.Supports(c, k) {
				continue
			}
			snap := heldSnapshot(c.Exchange(), k, h, now())
			s, err := st.Save(context.WithoutCancel(ctx), snap)
			byPull[key{snap.Exchange, k}] = Result{Snap: snap, Saved: s, Err: err, Held: &h}
		}
	}
	results := make(chan Result, len(cs)*len(kinds))
	collectors.Sweep(ctx, active, kinds, now, func(snap collectors.Snapshot) {
		s, err := st.Save(context.WithoutCancel(ctx), snap)
		results <- Result{Snap: snap, Saved: s, Err: err}
	})
	close(results)
	for r := range results {
		byPull[key{r.Snap.Exchange, r.Snap.Kind}] = r
	}
	var out []Result
	for _, c := range cs {
		for _, k := range kinds {
			if r, ok := byPull[key{c.Exchange(), k}]; ok {
				out = append(out, r)
			}
		}
	}
	return out
}

// heldSnapshot is the failed pull of an exchange on hold.
func heldSnapshot(exchange string, kind collectors.Kind, h store.Hold, at time.Time) collectors.Snapshot {
	err := &collectors.Error{Kind: collectors.ErrorKind(h.ErrorKind), Status: h.Status,
		Msg: "not sent: the exchange asked us to wait until " + h.Until.UTC().Format("15:04 UTC")}
	return collectors.Snapshot{Exchange: exchange, Kind: kind, StartedAt: at.UTC(),
		Err: fmt.Errorf("%s %s: %w", exchange, kind, err)}
}
