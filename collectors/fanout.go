package collectors

import (
	"context"
	"errors"
	"sync"
)

// FanOut runs a pull's requests concurrently, at most limit at a time (no
// limit when limit <= 0). The first failure cancels the rest and is the
// one returned: it is recorded before the cancellation, so a sibling's
// "context canceled" never hides the failure that caused it. A request
// the transport held back for a sibling's rate limit is a consequence too:
// the sibling's own answer replaces it.
func FanOut(ctx context.Context, limit int, tasks ...func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if limit <= 0 {
		limit = len(tasks)
	}
	sem := make(chan struct{}, max(limit, 1))
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case first == nil:
			first = err
			cancel()
		case errors.Is(first, errHeld) && !errors.Is(err, errHeld) && !errors.Is(err, context.Canceled) && KindOf(err) != ErrInterrupted:
			first = err // the answer behind the hold, not the cancellation that followed it
		}
	}
start:
	for _, task := range tasks {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			fail(Classify(ctx.Err()))
			break start
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := task(ctx); err != nil {
				fail(err)
			}
		})
	}
	wg.Wait()
	return first
}
