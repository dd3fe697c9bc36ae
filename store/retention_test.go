package store

import (
	"context"
	"fmt"
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
	for at := day0; at.Before(day0.Add(days * 24 * time.Hour)); at = at.Add(5 * time.Minute) {
		mustSave(t, s, sweepFunding("bybit", symbols, at, seq))
		mustSave(t, s, sweepMarket("bybit", symbols, at, seq))
		seq++
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
	if got.RowsKept != wantKept || got.SamplesGone != 24*60-24 {
		t.Errorf("compacted %+v, want %d rows kept and %d stream samples gone", got, wantKept, 24*60-24)
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
