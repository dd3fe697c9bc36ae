package collectors

import (
	"context"
	"sync"
	"time"
)

// Sweep pulls every kind from every collector at once (exchanges
// concurrently, and the kinds of one exchange concurrently too; each
// exchange's transport keeps its own rate limit) and returns the
// snapshots in collector order, then kind order.
func Sweep(ctx context.Context, cs []Collector, kinds []Kind, now func() time.Time) []Snapshot {
	ctx, cancel := context.WithCancel(withSharing(ctx))
	defer cancel()
	out := make([]Snapshot, len(cs)*len(kinds))
	var wg sync.WaitGroup
	for i, c := range cs {
		for j, k := range kinds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out[i*len(kinds)+j] = Pull(ctx, c, k, now)
			}()
		}
	}
	wg.Wait()
	return out
}
