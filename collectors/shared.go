package collectors

import (
	"context"
	"sync"
	"sync/atomic"
)

// sharing is one sweep's memo of fetches that several kinds need.
type sharing struct {
	sweep context.Context // its cancellation ends shared fetches
	mu    sync.Mutex
	calls map[string]*sharedCall
}

type sharedCall struct {
	done     chan struct{}
	value    any
	err      error
	requests int64
}

type sharingKey struct{}

// withSharing marks ctx as one sweep, within which Shared fetches each key
// once.
func withSharing(ctx context.Context) context.Context {
	return context.WithValue(ctx, sharingKey{}, &sharing{sweep: ctx, calls: map[string]*sharedCall{}})
}

// Shared runs fetch once per sweep for key and hands every caller the same
// result: when several kinds need the same list (Bybit's funding and market
// pulls both read the instrument list), the first caller fetches and the
// others wait, so a sweep sends the request and parses the answer once.
// Outside a sweep it simply calls fetch. The result must be treated as
// read-only. Every pull that uses the list counts the requests it took, so
// a sweep's per-pull counts may add up to more than it sent. A caller giving up does not cancel the fetch for the others;
// only the sweep's end does.
func Shared[T any](ctx context.Context, key string, fetch func(context.Context) (T, error)) (T, error) {
	s, ok := ctx.Value(sharingKey{}).(*sharing)
	if !ok {
		return fetch(ctx)
	}
	s.mu.Lock()
	call, started := s.calls[key]
	if !started {
		call = &sharedCall{done: make(chan struct{})}
		s.calls[key] = call
	}
	s.mu.Unlock()
	if !started {
		fetchCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		stop := context.AfterFunc(s.sweep, cancel)
		fetchCtx, requests := WithRequestCounter(fetchCtx)
		call.value, call.err = fetch(fetchCtx)
		call.requests = requests.Load()
		stop()
		cancel()
		close(call.done)
	}
	var zero T
	select {
	case <-call.done:
	case <-ctx.Done():
		return zero, Classify(ctx.Err())
	}
	// Each pull that relies on the list counts its requests.
	if n, ok := ctx.Value(counterKey{}).(*atomic.Int64); ok {
		n.Add(call.requests)
	}
	if call.err != nil {
		return zero, call.err
	}
	return call.value.(T), nil
}
