package store

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/diff"
)

func TestCompleteRuns(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	inst := collectors.KindInstruments
	a := mustSave(t, s, snapshot("okx", inst, 10, at(0)))
	b := mustSave(t, s, snapshot("okx", inst, 10, at(5))) // unchanged
	mustSave(t, s, failed("okx", inst, at(10), errors.New("reset")))
	mustSave(t, s, snapshot("okx", inst, 2, at(15))) // incomplete
	changed := snapshot("okx", inst, 11, at(20))
	c := mustSave(t, s, changed)
	mustSave(t, s, snapshot("bybit", inst, 10, at(25)))
	if b.SnapshotID != a.SnapshotID || c.SnapshotID == a.SnapshotID {
		t.Fatalf("snapshots %d %d %d: want the first two shared", a.SnapshotID, b.SnapshotID, c.SnapshotID)
	}
	ref := func(s Saved, m int) RunRef { return RunRef{RunID: s.RunID, SnapshotID: s.SnapshotID, StartedAt: at(m)} }

	later := at(60)
	tests := []struct {
		until time.Time
		n     int
		want  []RunRef
	}{
		{later, 0, nil},
		{later, 1, []RunRef{ref(c, 20)}},
		{later, 2, []RunRef{ref(b, 5), ref(c, 20)}},
		{later, 10, []RunRef{ref(a, 0), ref(b, 5), ref(c, 20)}},
		{at(19), 10, []RunRef{ref(a, 0), ref(b, 5)}},
		{at(5), 1, []RunRef{ref(b, 5)}},
		{at(-1), 1, nil},
	}
	for _, tt := range tests {
		got, err := s.CompleteRuns(ctx, "okx", inst, tt.until, tt.n)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("CompleteRuns(%s, %d) = %+v, want %+v", tt.until.Format(time.Kitchen), tt.n, got, tt.want)
		}
	}
}

func TestPendingRuns(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	// Saved out of time order: pending runs still come oldest first.
	late := mustSave(t, s, snapshot("okx", collectors.KindFunding, 3, t0.Add(time.Minute)))
	early := mustSave(t, s, snapshot("bybit", collectors.KindMarket, 3, t0))
	mustSave(t, s, failed("okx", collectors.KindMarket, t0, errors.New("reset")))
	again := mustSave(t, s, snapshot("okx", collectors.KindFunding, 3, t0.Add(2*time.Minute)))

	pending := func() []int64 {
		t.Helper()
		runs, err := s.PendingRuns(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range runs {
			ids = append(ids, r.RunID)
		}
		return ids
	}
	runs, err := s.PendingRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Run{RunRef: RunRef{RunID: early.RunID, SnapshotID: early.SnapshotID, StartedAt: t0}, Exchange: "bybit", Kind: collectors.KindMarket}); len(runs) == 0 || runs[0] != want {
		t.Errorf("first pending run %+v, want %+v", runs, want)
	}
	if got, want := pending(), []int64{early.RunID, late.RunID, again.RunID}; !reflect.DeepEqual(got, want) {
		t.Fatalf("pending %v, want %v", got, want)
	}
	if err := s.MarkDiffed(ctx, early.RunID, late.RunID); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDiffed(ctx, late.RunID); err != nil {
		t.Fatalf("marking twice: %v", err)
	}
	if got, want := pending(), []int64{again.RunID}; !reflect.DeepEqual(got, want) {
		t.Errorf("pending after MarkDiffed %v, want %v", got, want)
	}
	if rows := queryRows(t, s, `SELECT diffed_at FROM run_log WHERE id = ?`, late.RunID); rows[0][0] != "2026-11-25T10:00:00.000Z" {
		t.Errorf("diffed_at %v, want the injected clock's time", rows[0][0])
	}
	err = s.MarkDiffed(ctx, again.RunID, 999)
	if err == nil || err.Error() != "mark runs diffed: no run 999" {
		t.Errorf("unknown run: error %v", err)
	}
	if got := pending(); len(got) != 1 {
		t.Errorf("a failed MarkDiffed marked runs: pending %v", got)
	}
}

func TestFreshness(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	limited := &collectors.Error{Kind: collectors.ErrRateLimited, Status: 429}
	mustSave(t, s, snapshot("okx", collectors.KindFunding, 10, at(0)))
	mustSave(t, s, failed("okx", collectors.KindFunding, at(5), errors.New("reset")))
	mustSave(t, s, snapshot("okx", collectors.KindFunding, 10, at(10)))
	mustSave(t, s, failed("okx", collectors.KindFunding, at(15), errors.New("reset")))
	mustSave(t, s, snapshot("okx", collectors.KindFunding, 1, at(20)))
	mustSave(t, s, failed("bybit", collectors.KindMarket, at(0), limited))
	mustSave(t, s, failed("bybit", collectors.KindMarket, at(5), limited))
	mustSave(t, s, snapshot("binance", collectors.KindInstruments, 10, at(0)))

	got, err := s.Freshness(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []Freshness{
		{Exchange: "binance", Kind: collectors.KindInstruments, LastComplete: at(0), LastRun: at(0), LastStatus: StatusNew},
		{Exchange: "bybit", Kind: collectors.KindMarket, LastRun: at(5), LastStatus: StatusFailed,
			FailuresSince: 2, LastError: "rate_limited (HTTP 429)"},
		{Exchange: "okx", Kind: collectors.KindFunding, LastComplete: at(10), LastRun: at(20), LastStatus: StatusIncomplete,
			FailuresSince: 2, LastError: "only 1 items, 10% of the last complete snapshot (10)"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Freshness\n got %+v\nwant %+v", got, want)
	}

	// As it stood at minute 12: okx funding healthy, bybit market failing,
	// nothing later counted.
	past, err := s.FreshnessAt(ctx, at(12))
	if err != nil {
		t.Fatal(err)
	}
	wantPast := []Freshness{
		want[0], want[1],
		{Exchange: "okx", Kind: collectors.KindFunding, LastComplete: at(10), LastRun: at(10), LastStatus: StatusUnchanged},
	}
	if !reflect.DeepEqual(past, wantPast) {
		t.Errorf("FreshnessAt\n got %+v\nwant %+v", past, wantPast)
	}
}

func TestMarketSeries(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	first := snapshot("binance", collectors.KindMarket, 2, at(0))
	mustSave(t, s, first)
	mustSave(t, s, snapshot("binance", collectors.KindMarket, 2, at(1))) // unchanged: same rows, listed once
	second := snapshot("binance", collectors.KindMarket, 2, at(2))
	second.Records.Market[0].Volume24hUSD = 9e9
	mustSave(t, s, second)
	mustSave(t, s, failed("binance", collectors.KindMarket, at(3), errors.New("reset")))
	mustSave(t, s, snapshot("okx", collectors.KindMarket, 2, at(1)))

	third := snapshot("binance", collectors.KindMarket, 2, at(4))
	third.Records.Market[0].Volume24hUSD = 7e9
	mustSave(t, s, third)
	both := append(append([]collectors.MarketStat{}, first.Records.Market...), second.Records.Market...)

	tests := []struct {
		name     string
		from, to time.Time
		every    time.Duration
		want     []collectors.MarketStat
	}{
		{"everything", at(0), at(4), 0, both},
		{"only the unchanged run", at(1), at(2), 0, first.Records.Market},
		{"to is exclusive", at(0), at(1), 0, first.Records.Market},
		{"nothing", at(5), at(6), 0, nil},
		{"one per 3 hours", at(0), at(5), 3 * time.Hour, append(append([]collectors.MarketStat{}, first.Records.Market...), third.Records.Market...)},
		{"sampling keeps the first of each span", at(0), at(4), time.Hour, both},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.MarketSeries(ctx, "binance", tt.from, tt.to, tt.every)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestChanges(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	mk := func(typ diff.Type, symbol, newValue string, detected time.Time, evidence map[string]float64) diff.Change {
		return diff.Change{
			ID: diff.ChangeID("okx", typ, symbol, "", newValue, 7), Exchange: "okx", Kind: collectors.KindFunding,
			Type: typ, Symbol: symbol, Unified: "BTC/USDT:USDT", Old: "8h", New: newValue, Severity: diff.High,
			DetectedAt: detected, SnapshotFrom: 6, SnapshotTo: 7, Evidence: evidence,
		}
	}
	a := mk(diff.FundingInterval, "BTC-USDT-SWAP", "4h", t0.Add(time.Hour), map[string]float64{"old_hours": 8, "new_hours": 4})
	b := mk(diff.FundingExtreme, "ETH-USDT-SWAP", "30 bp", t0, nil)
	c := mk(diff.ListingNew, "XYZ-USDT-SWAP", "trading", t0.Add(25*time.Hour), nil)
	c.SnapshotFrom = 0

	n, err := s.SaveChanges(ctx, []diff.Change{a, b}, nil)
	if err != nil || n != 2 {
		t.Fatalf("SaveChanges = %d, %v; want 2", n, err)
	}
	n, err = s.SaveChanges(ctx, []diff.Change{a, b, c}, nil)
	if err != nil || n != 1 {
		t.Fatalf("re-run SaveChanges = %d, %v; want 1 (only the new one)", n, err)
	}
	got, err := s.Changes(ctx, t0, t0.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if want := []diff.Change{b, a}; !reflect.DeepEqual(got, want) {
		t.Errorf("Changes\n got %+v\nwant %+v", got, want)
	}
	if rows := queryRows(t, s, `SELECT evidence, snapshot_from FROM changes WHERE id = ?`, a.ID); !reflect.DeepEqual(rows, [][]any{{`{"new_hours":4,"old_hours":8}`, int64(6)}}) {
		t.Errorf("changes view row %v", rows)
	}
	if rows := queryRows(t, s, `SELECT evidence, snapshot_from FROM changes WHERE id = ?`, c.ID); !reflect.DeepEqual(rows, [][]any{{nil, nil}}) {
		t.Errorf("changes view row %v, want NULLs", rows)
	}
	_, err = s.SaveChanges(ctx, []diff.Change{{Exchange: "okx", Type: diff.ListingNew, Symbol: "X"}}, nil)
	if err == nil || !strings.Contains(err.Error(), "change has no ID") {
		t.Errorf("change without ID: error %v", err)
	}
}
