package store

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// TestSchema pins the public views: columns may be added, never renamed,
// reordered or dropped without the README and the analysts knowing.
func TestSchema(t *testing.T) {
	s, _ := openTest(t)
	views, err := s.Schema(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, v := range views {
		fmt.Fprintf(&b, "%s\n", v.Name)
		for _, c := range v.Columns {
			fmt.Fprintf(&b, "  %s %s\n", c.Name, c.Type)
		}
	}
	golden := filepath.Join("testdata", "schema.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("schema differs from %s (run go test -update if intended)\n got:\n%s\nwant:\n%s", golden, b.String(), want)
	}
}

func TestInstrumentsLatest(t *testing.T) {
	s, _ := openTest(t)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	mustSave(t, s, snapshot("okx", collectors.KindInstruments, 4, at(0)))
	second := snapshot("okx", collectors.KindInstruments, 3, at(5))
	second.Records.Instruments[1].MaxLeverage = 75
	mustSave(t, s, second)
	third := second
	third.StartedAt = at(10)
	mustSave(t, s, third)
	mustSave(t, s, snapshot("okx", collectors.KindInstruments, 1, at(15))) // implausible: hidden
	mustSave(t, s, snapshot("okx", collectors.KindFunding, 2, at(1)))
	fund := snapshot("okx", collectors.KindFunding, 2, at(6))
	fund.Records.Funding[1].IntervalHours = 1
	mustSave(t, s, fund)
	mustSave(t, s, snapshot("bybit", collectors.KindInstruments, 1, at(0)))

	got := queryRows(t, s, `SELECT exchange, symbol, max_leverage, min_notional, funding_interval_hours,
		funding_cap, listed_at, delivery_at, observed_at FROM instruments_latest ORDER BY exchange, symbol`)
	want := [][]any{
		{"bybit", "C000USDT", nil, nil, 4.0, 0.02, "2026-10-25T09:00:00.000Z", nil, "2026-11-25T09:00:00.000Z"},
		// Own interval wins; the funding snapshot fills in the other; the
		// unchanged third snapshot moved observed_at.
		{"okx", "C000USDT", nil, nil, 4.0, 0.02, "2026-10-25T09:00:00.000Z", nil, "2026-11-25T09:10:00.000Z"},
		{"okx", "C001USDT", 75.0, 5.0, 1.0, nil, "2026-10-24T09:00:00.000Z", nil, "2026-11-25T09:10:00.000Z"},
		// No funding row for it: NULL, not a guess.
		{"okx", "C002USDT", 50.0, 5.0, nil, nil, "2026-10-23T09:00:00.000Z", nil, "2026-11-25T09:10:00.000Z"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("instruments_latest\n got %v\nwant %v", got, want)
	}

	hist := queryRows(t, s, `SELECT snapshot_id, symbol, max_leverage, observed_at FROM instruments_history
		WHERE exchange = 'okx' ORDER BY snapshot_id, symbol`)
	wantHist := [][]any{
		{int64(1), "C000USDT", nil, "2026-11-25T09:00:00.000Z"},
		{int64(1), "C001USDT", 50.0, "2026-11-25T09:00:00.000Z"},
		{int64(1), "C002USDT", 50.0, "2026-11-25T09:00:00.000Z"},
		{int64(1), "C003USDT", nil, "2026-11-25T09:00:00.000Z"},
		{int64(2), "C000USDT", nil, "2026-11-25T09:05:00.000Z"},
		{int64(2), "C001USDT", 75.0, "2026-11-25T09:05:00.000Z"},
		{int64(2), "C002USDT", 50.0, "2026-11-25T09:05:00.000Z"},
	}
	if !reflect.DeepEqual(hist, wantHist) {
		t.Errorf("instruments_history\n got %v\nwant %v", hist, wantHist)
	}
}

func TestHistoryViews(t *testing.T) {
	s, _ := openTest(t)
	f := snapshot("bybit", collectors.KindFunding, 2, t0)
	f.Records.Funding[1].IntervalHours, f.Records.Funding[1].ObservedAt = 0, time.Time{}
	fundingID := mustSave(t, s, f).SnapshotID
	marketID := mustSave(t, s, snapshot("bybit", collectors.KindMarket, 2, t0)).SnapshotID
	mustSave(t, s, snapshot("bybit", collectors.KindMarket, 2, t0.Add(time.Minute))) // unchanged: no new rows
	mustSave(t, s, failed("bybit", collectors.KindMarket, t0.Add(2*time.Minute), &collectors.Error{Kind: collectors.ErrNotJSON}))

	tests := []struct {
		name  string
		query string
		want  [][]any
	}{
		{
			name:  "funding_history",
			query: `SELECT * FROM funding_history ORDER BY symbol`,
			want: [][]any{
				// -3 bp per 8h is -3.285 a year; an unknown interval has no annualized rate.
				{"bybit", "C000USDT", "C000/USDT:USDT", f.Records.Funding[0].Rate, f.Records.Funding[0].Annualized(), 8.0, 0.0075, -0.0075,
					"2026-11-25T16:00:00.000Z", 10.0, "2026-11-25T09:00:00.000Z", fundingID, "sweep"},
				{"bybit", "C001USDT", "C001/USDT:USDT", f.Records.Funding[1].Rate, nil, nil, nil, nil,
					"2026-11-25T16:00:00.000Z", 11.0, "2026-11-25T09:00:00.000Z", fundingID, "sweep"},
			},
		},
		{
			name:  "market_history",
			query: `SELECT * FROM market_history ORDER BY snapshot_id, symbol`,
			want: [][]any{
				{"bybit", "C000USDT", "C000/USDT:USDT", 10.0, 1e6, 5e5, "2026-11-25T09:00:00.000Z", marketID},
				{"bybit", "C001USDT", "C001/USDT:USDT", 11.0, 2e6, nil, "2026-11-25T09:00:00.000Z", marketID},
			},
		},
		{
			name:  "runs",
			query: `SELECT id, kind, status, complete, error, error_kind, snapshot_id FROM runs ORDER BY id`,
			want: [][]any{
				{int64(1), "funding", "new", int64(1), nil, nil, fundingID},
				{int64(2), "market", "new", int64(1), nil, nil, marketID},
				{int64(3), "market", "unchanged", int64(1), nil, nil, marketID},
				{int64(4), "market", "failed", int64(0), "not_json", "not_json", nil},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := queryRows(t, s, tt.query); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestQuery(t *testing.T) {
	s, _ := openTest(t)
	res, err := s.Query(context.Background(), `SELECT 'a' AS text, CAST('b' AS BLOB) AS blob, 1 AS n, 2.5 AS x, NULL AS z`)
	if err != nil {
		t.Fatal(err)
	}
	want := Result{Columns: []string{"text", "blob", "n", "x", "z"}, Rows: [][]any{{"a", "b", int64(1), 2.5, nil}}}
	if !reflect.DeepEqual(res, want) {
		t.Errorf("Query = %#v, want %#v", res, want)
	}
	// Even a writable store answers ad-hoc SQL on a query-only connection.
	if _, err := s.Query(context.Background(), `DELETE FROM run_log`); err == nil {
		t.Error("DELETE through Query succeeded")
	}
	if _, err := s.Query(context.Background(), `SELECT nope FROM runs`); err == nil || !strings.Contains(err.Error(), "no such column: nope") {
		t.Errorf("bad column error %v", err)
	}
}
