package store

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/diff"
)

// TestCrossExchangeEventsNameExchangesAsData: a divergence keeps its
// exchanges as a list, so an analyst's WHERE on one exchange finds it
// through the exchanges column, and it reads back as it was saved.
func TestCrossExchangeEventsNameExchangesAsData(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	in := []diff.Change{
		{ID: "d1", Exchanges: []string{"binance", "okx"}, Type: diff.FundingDivergence, Symbol: "WIF/USDT:USDT", DetectedAt: at},
		{ID: "n1", Exchange: "bybit", Type: diff.ListingNew, Symbol: "ZORAUSDT", DetectedAt: at},
	}
	if _, err := s.SaveChanges(ctx, in, nil); err != nil {
		t.Fatal(err)
	}
	res, err := s.Query(ctx, `SELECT id, exchange, exchanges FROM changes ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{"d1", "", `["binance","okx"]`}, {"n1", "bybit", `["bybit"]`}}
	for i, row := range res.Rows {
		for j := range row {
			if row[j] != want[i][j] {
				t.Errorf("row %d column %s = %v, want %v", i, res.Columns[j], row[j], want[i][j])
			}
		}
	}
	got, err := s.Changes(ctx, at, at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ExchangeLabel() != "binance vs okx" || got[1].Exchanges != nil {
		t.Errorf("read back %+v", got)
	}
}

// TestMigrationSplitsOldDivergences: a database written before the
// exchanges column held "binance vs okx" in exchange; upgrading moves it.
func TestMigrationSplitsOldDivergences(t *testing.T) {
	path := t.TempDir() + "/old.db"
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	first, err := migrations.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{string(first), `PRAGMA user_version = 1`,
		`INSERT INTO change_events (id, detected_at, exchange, kind, type, symbol, unified, field, old, new, severity)
		 VALUES ('d1', '2026-11-25T09:00:00.000Z', 'binance vs okx', 'funding', 'funding.divergence', 'WIF/USDT:USDT', '', '', '', '', 'medium'),
		        ('n1', '2026-11-25T09:00:00.000Z', 'bybit', 'instruments', 'listing.new', 'ZORAUSDT', '', '', '', '', 'high')`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.Query(context.Background(), `SELECT exchange, exchanges FROM changes ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows[0][0] != "" || res.Rows[0][1] != `["binance","okx"]` || res.Rows[1][0] != "bybit" || res.Rows[1][1] != `["bybit"]` {
		t.Errorf("after the upgrade: %v", res.Rows)
	}
}
