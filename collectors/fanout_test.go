package collectors

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
)

// TestFanOutLimit uses synctest.Wait, which returns once every task is
// blocked, so "no further task started" is known, not hoped for.
func TestFanOutLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const limit, n = 3, 7
		release := make(chan struct{})
		var started atomic.Int64
		tasks := make([]func(context.Context) error, n)
		for i := range tasks {
			tasks[i] = func(context.Context) error {
				started.Add(1)
				<-release
				return nil
			}
		}
		done := make(chan error, 1)
		go func() { done <- FanOut(context.Background(), limit, tasks...) }()
		for want := int64(limit); want <= n; want++ {
			synctest.Wait()
			if got := started.Load(); got != want {
				t.Fatalf("%d tasks started, want %d (limit %d, %d finished)", got, want, limit, want-limit)
			}
			release <- struct{}{}
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

// TestFanOutFirstErrorCancels fails the third of three in-flight tasks:
// the two before it must be cancelled and its error returned.
func TestFanOutFirstErrorCancels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boom := errors.New("boom")
		var canceled atomic.Int64
		wait := func(ctx context.Context) error {
			<-ctx.Done()
			canceled.Add(1)
			return ctx.Err()
		}
		fail := func(context.Context) error { return boom }
		err := FanOut(context.Background(), 3, wait, wait, fail, wait, wait)
		if !errors.Is(err, boom) {
			t.Errorf("err = %v, want the first failure", err)
		}
		if n := canceled.Load(); n < 2 {
			t.Errorf("%d in-flight tasks saw the cancellation, want at least 2", n)
		}
	})
}

// TestFanOutHeldThenCancelled replays the order that once made a Bybit
// pull report a timeout for a 429: a request held for the rate limit fails
// first, a sibling cancelled by that failure answers next, and the request
// that met the 429 answers last. The 429 must be what the pull reports.
func TestFanOutHeldThenCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		limited := &Error{Kind: ErrRateLimited, Status: 429, Msg: "too many requests"}
		held := func(context.Context) error {
			synctest.Wait() // every task has started: none is skipped by the cancellation
			return &Error{Kind: ErrRateLimited, Status: 429, Msg: "not sent", Err: errHeld}
		}
		cancelled := func(ctx context.Context) error {
			<-ctx.Done()
			return &Error{Kind: ErrInterrupted, Msg: "cancelled before the answer"} // its cause lost in rewording
		}
		answered := func(ctx context.Context) error {
			<-ctx.Done()
			synctest.Wait() // the cancelled sibling has failed first
			return limited
		}
		if err := FanOut(context.Background(), 0, held, cancelled, answered); err != limited {
			t.Errorf("err = %v, want the 429 answer", err)
		}
	})
}
