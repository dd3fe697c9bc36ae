package collectors

import (
	"context"
	"sync"
	"time"
)

// Sweep pulls every kind each collector publishes, all at once (exchanges
// concurrently, and the kinds of one exchange concurrently too; each
// exchange's transport keeps its own rate limit). It hands each snapshot to
// done as soon as its pull ends, so one slow exchange holds back nobody
// else's storing, and returns them all in collector order, then kind
// order. done may be nil; calls to it may run concurrently.
func Sweep(ctx context.Context, cs []Collector, kinds []Kind, now func() time.Time, done func(Snapshot)) []Snapshot {
	ctx, cancel := context.WithCancel(withSharing(ctx))
	defer cancel()
	type pair struct {
		c    Collector
		kind Kind
	}
	var pairs []pair
	for _, c := range cs {
		for _, k := range kinds {
			if Supports(c, k) {
				pairs = append(pairs, pair{c, k})
			}
		}
	}
	out := make([]Snapshot, len(pairs))
	var wg sync.WaitGroup
	for i, p := range pairs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = Pull(ctx, p.c, p.kind, now)
			if done != nil {
				done(out[i])
			}
		}()
	}
	wg.Wait()
	return out
}
