package collectors

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeCollector reads one shared list from every kind, as Bybit does.
type fakeCollector struct {
	fetches atomic.Int32
	fail    error
}

func (f *fakeCollector) Exchange() string { return "fake" }

func (f *fakeCollector) Pulls() Pulls {
	pull := func(kind Kind) PullFunc {
		return func(ctx context.Context) (Records, error) { return f.collect(ctx, kind) }
	}
	return Pulls{KindInstruments: pull(KindInstruments), KindFunding: pull(KindFunding), KindMarket: pull(KindMarket)}
}

func (f *fakeCollector) collect(ctx context.Context, kind Kind) (Records, error) {
	list, err := Shared(ctx, "fake instruments", func(ctx context.Context) ([]Instrument, error) {
		f.fetches.Add(1)
		countRequest(ctx) // as the transport does for one request
		return []Instrument{{Exchange: "fake", Symbol: "B"}, {Exchange: "fake", Symbol: "A"}}, f.fail
	})
	if err != nil {
		return Records{}, err
	}
	switch kind {
	case KindInstruments:
		return Records{Instruments: append([]Instrument(nil), list...)}, nil
	case KindFunding:
		return Records{Funding: []Funding{{Exchange: "fake", Symbol: list[0].Symbol}}}, nil
	}
	return Records{}, nil // market: nothing, which Pull reports as empty
}

func TestSweepSharesFetchesAndSorts(t *testing.T) {
	f := &fakeCollector{}
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	snaps := Sweep(context.Background(), []Collector{f}, AllKinds, func() time.Time { return at }, nil)
	if n := f.fetches.Load(); n != 1 {
		t.Errorf("the shared list was fetched %d times in one sweep, want 1", n)
	}
	if len(snaps) != 3 || snaps[0].Kind != KindInstruments || snaps[2].Kind != KindMarket {
		t.Fatalf("snapshots out of order: %+v", snaps)
	}
	for _, s := range snaps {
		if s.Requests != 1 {
			t.Errorf("%s: %d requests counted, want the shared fetch's 1 on every pull that used it", s.Kind, s.Requests)
		}
	}
	if got := snaps[0].Records.Instruments; got[0].Symbol != "A" || !snaps[0].StartedAt.Equal(at) {
		t.Errorf("records not sorted by symbol or start not stamped: %+v", snaps[0])
	}
	if KindOf(snaps[2].Err) != ErrEmpty {
		t.Errorf("an empty pull must fail as empty, got %v", snaps[2].Err)
	}
	Sweep(context.Background(), []Collector{f}, AllKinds, time.Now, nil)
	if n := f.fetches.Load(); n != 2 {
		t.Errorf("a new sweep must fetch again; fetched %d times in two sweeps", n)
	}
}

func TestSharedFailureFailsEveryKind(t *testing.T) {
	f := &fakeCollector{fail: &Error{Kind: ErrServer, Status: 502}}
	for _, s := range Sweep(context.Background(), []Collector{f}, AllKinds, time.Now, nil) {
		if KindOf(s.Err) != ErrServer || s.Records.Len() != 0 {
			t.Errorf("%s: want the shared fetch's server error and no records, got %v", s.Kind, s.Err)
		}
	}
}

func TestSharedOutsideSweepAndCallerGivingUp(t *testing.T) {
	calls := 0
	fetch := func(context.Context) (int, error) { calls++; return calls, nil }
	Shared(context.Background(), "k", fetch)
	Shared(context.Background(), "k", fetch)
	if calls != 2 {
		t.Errorf("outside a sweep every call fetches; got %d calls", calls)
	}

	ctx := withSharing(context.Background())
	release := make(chan struct{})
	started := make(chan struct{})
	done := make(chan error)
	go func() {
		_, err := Shared(ctx, "slow", func(ctx context.Context) (int, error) {
			close(started)
			<-release
			return 7, ctx.Err()
		})
		done <- err
	}()
	<-started
	impatient, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Shared(impatient, "slow", fetch); !errors.Is(err, context.Canceled) {
		t.Errorf("a caller that gives up gets its own cancellation, got %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Errorf("the fetch must not be cancelled by another caller giving up: %v", err)
	}
	if v, err := Shared(ctx, "slow", fetch); v != 7 || err != nil {
		t.Errorf("later callers in the sweep get the shared result, got %d %v", v, err)
	}
}

// partialCollector publishes instruments only, like Binance for yield.
type partialCollector struct{}

func (partialCollector) Exchange() string { return "partial" }

func (partialCollector) Pulls() Pulls {
	return Pulls{KindInstruments: func(context.Context) (Records, error) {
		return Records{Instruments: []Instrument{{Exchange: "partial", Symbol: "A"}}}, nil
	}}
}

func TestSweepPullsOnlyWhatAnExchangePublishesAndReportsEachPull(t *testing.T) {
	var mu sync.Mutex
	var done []Kind
	snaps := Sweep(context.Background(), []Collector{partialCollector{}}, AllKinds, time.Now, func(s Snapshot) {
		mu.Lock()
		defer mu.Unlock()
		done = append(done, s.Kind)
	})
	if len(snaps) != 1 || snaps[0].Kind != KindInstruments || snaps[0].Err != nil {
		t.Fatalf("want one complete instruments pull, got %+v", snaps)
	}
	if len(done) != 1 {
		t.Errorf("done called %d times, want once per pull", len(done))
	}
	if _, err := Collect(context.Background(), partialCollector{}, KindFunding); KindOf(err) != ErrInternal {
		t.Errorf("collecting an unpublished kind must fail plainly, got %v", err)
	}
}

// TestKindTableCoversRecords fails when a slice is added to Records
// without its entry in kindTable: its records would never be counted or
// sorted.
func TestKindTableCoversRecords(t *testing.T) {
	rt := reflect.TypeOf(Records{})
	if rt.NumField() != len(kindTable) {
		t.Fatalf("Records has %d slices but kindTable %d kinds", rt.NumField(), len(kindTable))
	}
	for i := range rt.NumField() {
		var r Records
		f := reflect.ValueOf(&r).Elem().Field(i)
		f.Set(reflect.MakeSlice(f.Type(), 1, 1))
		claimed := 0
		for _, k := range kindTable {
			claimed += k.len(r)
		}
		if claimed != 1 {
			t.Errorf("Records.%s is counted by %d kinds, want exactly 1", rt.Field(i).Name, claimed)
		}
	}
}
