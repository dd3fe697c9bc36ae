package store

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"reflect"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// sweepFunding is one 5-minute sweep of n symbols at at, with rates that
// change every sweep and a settlement every 8 hours, plus one symbol that
// settles at half past (so its settled rate is not an hour's last row).
func sweepFunding(exchange string, n int, at time.Time, seq int) collectors.Snapshot {
	snap := collectors.Snapshot{Exchange: exchange, Kind: collectors.KindFunding, StartedAt: at, Duration: time.Second, Requests: 1}
	for i := range n {
		next := at.Truncate(8 * time.Hour).Add(8 * time.Hour)
		if i == 0 {
			next = at.Add(-30 * time.Minute).Truncate(time.Hour).Add(90 * time.Minute)
		}
		snap.Records.Funding = append(snap.Records.Funding, collectors.Funding{
			Exchange: exchange, Symbol: fmt.Sprintf("C%03dUSDT", i), Unified: fmt.Sprintf("C%03d/USDT:USDT", i),
			Rate: float64(seq%97+i) * 1e-6, IntervalHours: 8, Cap: 0.0075, Floor: -0.0075,
			NextFundingAt: next, MarkPrice: 10 + float64(seq%13), ObservedAt: at,
		})
	}
	return snap
}

func sweepMarket(exchange string, n int, at time.Time, seq int) collectors.Snapshot {
	snap := collectors.Snapshot{Exchange: exchange, Kind: collectors.KindMarket, StartedAt: at, Duration: time.Second, Requests: 1}
	for i := range n {
		snap.Records.Market = append(snap.Records.Market, collectors.MarketStat{
			Exchange: exchange, Symbol: fmt.Sprintf("C%03dUSDT", i), Unified: fmt.Sprintf("C%03d/USDT:USDT", i),
			LastPrice: 10 + float64(seq%13), Volume24hUSD: 1e6 + float64(seq), OpenInterestUSD: 5e5, ObservedAt: at,
		})
	}
	return snap
}

func TestCompact(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	day0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	const symbols, days = 3, 3
	seq := 0
	var lastDay []int64 // funding snapshots of the last day, which folding moves but does not thin
	for at := day0; at.Before(day0.Add(days * 24 * time.Hour)); at = at.Add(5 * time.Minute) {
		id := mustSave(t, s, sweepFunding("bybit", symbols, at, seq)).SnapshotID
		if at.After(day0.Add((days - 1) * 24 * time.Hour)) {
			lastDay = append(lastDay, id)
		}
		mustSave(t, s, sweepMarket("bybit", symbols, at, seq))
		seq++
	}
	saved := map[int64]collectors.Records{}
	for _, id := range lastDay {
		recs, err := s.Records(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		saved[id] = recs
	}
	// Stream samples every minute on the first day.
	var samples []collectors.Funding
	for at := day0; at.Before(day0.Add(24 * time.Hour)); at = at.Add(time.Minute) {
		samples = append(samples, collectors.Funding{Exchange: "okx", Symbol: "BTC-USDT-SWAP", Unified: "BTC/USDT:USDT",
			Rate: 1e-4, IntervalHours: 8, NextFundingAt: at.Truncate(8 * time.Hour).Add(8 * time.Hour), ObservedAt: at})
	}
	if _, err := s.SaveFundingSamples(ctx, OriginStream, samples); err != nil {
		t.Fatal(err)
	}
	// What compaction must keep of the first two days: the rows of each
	// symbol's last sweep of every hour, and C000's 5-minute row before
	// each half-past settlement.
	const cols = `exchange, symbol, unified, rate, annualized, interval_hours, cap, floor, next_funding_at, mark_price, observed_at, snapshot_id`
	cutoff := day0.Add(2 * 24 * time.Hour)
	keptFunding := queryRows(t, s, `SELECT `+cols+` FROM funding_history WHERE exchange = 'bybit' AND observed_at < ?
		AND (substr(observed_at, 15, 2) = '55' OR (symbol = 'C000USDT' AND substr(observed_at, 15, 2) = '25'))
		ORDER BY symbol, observed_at`, bound(cutoff))
	keptMarket := queryRows(t, s, `SELECT * FROM market_history WHERE observed_at < ? AND substr(observed_at, 15, 2) = '55'
		ORDER BY symbol, observed_at`, bound(cutoff))
	recent := queryRows(t, s, `SELECT * FROM funding_history WHERE observed_at >= ? ORDER BY symbol, observed_at`, bound(cutoff))

	got, err := s.Compact(ctx, cutoff.Add(3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	wantKept := len(keptFunding) + len(keptMarket) + 24
	wantGone := 24*60 - 24 + 2*288*symbols - len(keptFunding)
	wantFolded := days*288*symbols - symbols // all but the newest snapshot
	if got.RowsKept != wantKept || got.SamplesGone != wantGone || got.Folded != wantFolded {
		t.Errorf("compacted %+v, want %d rows kept, %d samples gone, %d folded", got, wantKept, wantGone, wantFolded)
	}
	for id, want := range saved {
		if recs, err := s.Records(ctx, id); err != nil || !reflect.DeepEqual(recs, want) {
			t.Fatalf("folded snapshot %d reads back as %v, %v; want %v", id, recs.Funding, err, want.Funding)
		}
	}
	if len(keptFunding) != 2*symbols*24+2*24 {
		t.Fatalf("fixture: %d funding rows to keep", len(keptFunding))
	}
	if after := queryRows(t, s, `SELECT `+cols+` FROM funding_history WHERE exchange = 'bybit' AND observed_at < ?
		ORDER BY symbol, observed_at`, bound(cutoff)); !reflect.DeepEqual(after, keptFunding) {
		t.Errorf("funding after compaction: %d rows, want %d\nfirst got  %v\nfirst want %v", len(after), len(keptFunding), after[0], keptFunding[0])
	}
	if after := queryRows(t, s, `SELECT * FROM market_history WHERE observed_at < ? ORDER BY symbol, observed_at`,
		bound(cutoff)); !reflect.DeepEqual(after, keptMarket) {
		t.Errorf("market after compaction: %d rows, want %d", len(after), len(keptMarket))
	}
	if after := queryRows(t, s, `SELECT * FROM funding_history WHERE observed_at >= ? ORDER BY symbol, observed_at`,
		bound(cutoff)); !reflect.DeepEqual(after, recent) {
		t.Errorf("the last day changed: %d rows, want %d", len(after), len(recent))
	}
	stream := queryRows(t, s, `SELECT DISTINCT substr(observed_at, 15) FROM funding_history WHERE origin = 'stream'`)
	if !reflect.DeepEqual(stream, [][]any{{"59:00.000Z"}}) {
		t.Errorf("stream samples kept at minutes %v, want only each hour's last", stream)
	}
	// Diff still reads the newest snapshots; a second pass finds nothing.
	if again, err := s.Compact(ctx, cutoff.Add(3*time.Hour)); err != nil || again != (Compacted{}) {
		t.Errorf("second compaction: %+v, %v", again, err)
	}
}

func TestCompactKeepsNewestSnapshot(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	day0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	id := mustSave(t, s, sweepFunding("okx", 2, day0, 0)).SnapshotID
	if _, err := s.Compact(ctx, day0.Add(30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	recs, err := s.Records(ctx, id)
	if err != nil || len(recs.Funding) != 2 {
		t.Errorf("the only snapshot lost its rows: %v, %v", recs.Funding, err)
	}
}

func TestFundingSamplesOnce(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	at := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	fs := []collectors.Funding{{Exchange: "bybit", Symbol: "BTCUSDT", Unified: "BTC/USDT:USDT", Rate: 1e-4, ObservedAt: at}}
	for range 2 {
		if _, err := s.SaveBackfill(ctx, "bybit", "BTCUSDT", fs, Coverage{From: at.Add(-time.Hour), To: at}); err != nil {
			t.Fatal(err)
		}
	}
	got := queryRows(t, s, `SELECT symbol, rate, interval_hours, annualized, observed_at, origin FROM funding_history`)
	want := [][]any{{"BTCUSDT", 1e-4, nil, nil, "2026-11-01T08:00:00.000Z", "backfill"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	cov, err := s.Backfilled(ctx, "bybit")
	if err != nil || cov["BTCUSDT"] != (Coverage{From: at.Add(-time.Hour), To: at, Rows: 1}) {
		t.Errorf("progress %v, %v", cov, err)
	}
}

func TestStreamGaps(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	from := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	g := Gap{Exchange: "okx", Stream: "funding-rate", From: from, To: from.Add(90 * time.Second), Reason: "connection dropped"}
	for range 2 {
		if err := s.SaveStreamGap(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	got := queryRows(t, s, `SELECT * FROM stream_gaps`)
	want := [][]any{{"okx", "funding-rate", "2026-11-01T08:00:00.000Z", "2026-11-01T08:01:30.000Z", "connection dropped", 90.0}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestFold moves superseded snapshots into funding_samples without
// changing what the view shows or what Records returns: a row seen
// unchanged by two sweeps stays in both, unpublished terms stay
// unpublished, and a row without its own time reads back with its
// snapshot's once folded.
func TestFold(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	at := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	same := collectors.Funding{Exchange: "okx", Symbol: "BTC-USDT-SWAP", Unified: "BTC/USDT:USDT", Rate: 1e-4,
		IntervalHours: 8, NextFundingAt: at.Add(8 * time.Hour), ObservedAt: at}
	var ids []int64
	var want []collectors.Records
	for i := range 3 {
		bare := collectors.Funding{Exchange: "okx", Symbol: "ETH-USDT-SWAP", Unified: "ETH/USDT:USDT", Rate: float64(i+1) * 1e-5}
		snap := collectors.Snapshot{Exchange: "okx", Kind: collectors.KindFunding, StartedAt: at.Add(time.Duration(i) * 5 * time.Minute),
			Duration: time.Second, Requests: 1, Records: collectors.Records{Funding: []collectors.Funding{same, bare}}}
		ids = append(ids, mustSave(t, s, snap).SnapshotID)
		if i < 2 { // folded
			bare.ObservedAt = snap.StartedAt
		}
		want = append(want, collectors.Records{Funding: []collectors.Funding{same, bare}})
	}
	view := `SELECT * FROM funding_history ORDER BY observed_at, symbol, snapshot_id`
	before := queryRows(t, s, view)
	got, err := s.Compact(ctx, at.Add(-24*time.Hour))
	if err != nil || got.Folded != 4 || got.RowsBefore != 0 {
		t.Fatalf("compacted %+v, %v; want 4 rows folded and nothing thinned", got, err)
	}
	if after := queryRows(t, s, view); !reflect.DeepEqual(after, before) {
		t.Errorf("the view changed:\n got %v\nwant %v", after, before)
	}
	for i, id := range ids {
		if recs, err := s.Records(ctx, id); err != nil || !reflect.DeepEqual(recs, want[i]) {
			t.Errorf("snapshot %d reads back as %+v, %v; want %+v", id, recs.Funding, err, want[i].Funding)
		}
	}
	if rows := queryRows(t, s, `SELECT COUNT(*) FROM funding_rows`); rows[0][0] != int64(2) {
		t.Errorf("%v rows left in snapshots, want the newest snapshot's 2", rows[0][0])
	}
}

// TestMigrationKeepsFundingSamples: a database written before folding
// keeps every stream, backfilled and compacted sample, as the view showed
// them, when funding_samples is rebuilt with the time in its key.
func TestMigrationKeepsFundingSamples(t *testing.T) {
	path := t.TempDir() + "/old.db"
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for v := 1; v <= 8; v++ {
		names, err := fs.Glob(migrations, fmt.Sprintf("migrations/%04d_*.sql", v))
		if err != nil || len(names) != 1 {
			t.Fatalf("migration %d: %v %v", v, names, err)
		}
		body, err := migrations.ReadFile(names[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := applyMigration(context.Background(), db, v, string(body)); err != nil {
			t.Fatalf("%s: %v", names[0], err)
		}
	}
	for _, q := range []string{
		`INSERT INTO series (id, exchange, symbol, unified) VALUES (1, 'okx', 'BTC-USDT-SWAP', 'BTC/USDT:USDT')`,
		`INSERT INTO instants (id, at) VALUES (1793520000000, '2026-11-01T08:00:00.000Z'), (1793548800000, '2026-11-01T16:00:00.000Z')`,
		`INSERT INTO funding_terms (id, interval_hours, cap, floor) VALUES (1, 8, 0.0075, -0.0075), (2, 0, 0, 0)`,
		`INSERT INTO funding_samples (series_id, observed_id, origin, rate, terms_id, next_funding_id, mark_price, snapshot_id) VALUES
			(1, 1793520000000, 0, 0.0001, 1, 1793548800000, 95000, 7),
			(1, 1793520000000, 1, 0.0002, 1, 1793548800000, NULL, NULL),
			(1, 1793548800000, 2, 0.0003, 2, NULL, NULL, NULL)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	view := `SELECT * FROM funding_history ORDER BY observed_at, origin`
	old, err := OpenReadOnly(context.Background(), path) // reads version 8 as it is
	if err != nil {
		t.Fatal(err)
	}
	before := queryRows(t, old, view)
	old.Close()
	if len(before) != 3 {
		t.Fatalf("fixture: %d rows", len(before))
	}
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if after := queryRows(t, s, view); !reflect.DeepEqual(after, before) {
		t.Errorf("after the upgrade:\n got %v\nwant %v", after, before)
	}
}
