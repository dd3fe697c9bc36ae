package pipeline

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/diff"
	"github.com/rivalwatch/rivalwatch/store"
)

func instruments(symbols ...string) collectors.Records {
	var r collectors.Records
	for _, s := range symbols {
		r.Instruments = append(r.Instruments, collectors.Instrument{Exchange: "okx", Symbol: s, Unified: s + "/USDT:USDT",
			Base: s, Quote: "USDT", Settle: "USDT", ContractType: collectors.Perpetual, Margin: collectors.Linear,
			Status: collectors.StatusTrading, NativeStatus: "live"})
	}
	return r
}

// storeWith opens a fresh database holding one OKX snapshot of kind per
// records, every 5 minutes from at.
func storeWith(t *testing.T, kind collectors.Kind, at time.Time, records ...collectors.Records) *store.Store {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "p.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for i, recs := range records {
		snap := collectors.Snapshot{Exchange: "okx", Kind: kind, StartedAt: at.Add(time.Duration(i) * 5 * time.Minute), Records: recs}
		if _, err := st.Save(t.Context(), snap); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// TestDetectorWithoutTheCLI: two snapshots stored, two detectors racing
// (as a daemon's jobs might): the new listing is found once, every run is
// compared once, and a later pass finds nothing.
func TestDetectorWithoutTheCLI(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	st := storeWith(t, collectors.KindInstruments, at, instruments("A", "B"), instruments("A", "B", "C"))
	d := NewDetector(st, diff.DefaultConfig(), []string{"okx"})
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := d.Pending(ctx)
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		}()
	}
	wg.Wait()
	if counts[0]+counts[1] != 1 {
		t.Errorf("two racing passes stored %v events, want 1 in all", counts)
	}
	changes, err := st.Changes(ctx, at, at.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Type != diff.ListingNew || changes[0].Symbol != "C" {
		t.Errorf("changes: %+v", changes)
	}
	if runs, _ := st.PendingRuns(ctx); len(runs) != 0 {
		t.Errorf("%d runs still pending", len(runs))
	}
	if n, err := d.Pending(ctx); n != 0 || err != nil {
		t.Errorf("a later pass found %d (%v)", n, err)
	}
}

// TestStreamCrossingIsNotReportedTwice: the live stream reported WIF's
// funding going extreme between two sweeps; the second sweep, which sees
// the same crossing, adds no second funding.extreme.
func TestStreamCrossingIsNotReportedTwice(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	funding := func(rate float64) collectors.Records {
		return collectors.Records{Funding: []collectors.Funding{
			{Exchange: "okx", Symbol: "WIF-USDT-SWAP", Unified: "WIF/USDT:USDT", Rate: rate, IntervalHours: 8, ObservedAt: at},
			{Exchange: "okx", Symbol: "SOL-USDT-SWAP", Unified: "SOL/USDT:USDT", Rate: rate, IntervalHours: 8, ObservedAt: at},
		}}
	}
	st := storeWith(t, collectors.KindFunding, at, funding(0.0001), funding(0.002))
	// What the stream stored between the sweeps (no snapshot).
	live := diff.Change{ID: "live1", Exchange: "okx", Kind: collectors.KindFunding, Type: diff.FundingExtreme,
		Symbol: "WIF-USDT-SWAP", DetectedAt: at.Add(2 * time.Minute)}
	if _, err := st.SaveChanges(ctx, []diff.Change{live}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := NewDetector(st, diff.DefaultConfig(), []string{"okx"}).Pending(ctx); err != nil {
		t.Fatal(err)
	}
	changes, err := st.Changes(ctx, at, at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	extreme := map[string]int{}
	for _, c := range changes {
		if c.Type == diff.FundingExtreme {
			extreme[c.Symbol]++
		}
	}
	if extreme["WIF-USDT-SWAP"] != 1 || extreme["SOL-USDT-SWAP"] != 1 {
		t.Errorf("funding.extreme per symbol: %v, want one each (WIF's from the stream)", extreme)
	}
}
