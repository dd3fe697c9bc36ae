package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/diff"
)

func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	t.Run("missing file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "none.db")
		_, err := OpenReadOnly(ctx, path)
		want := "no database at " + path + ": run `rivalwatch collect` or `rivalwatch demo` first"
		if err == nil || err.Error() != want {
			t.Fatalf("error %v, want %q", err, want)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("OpenReadOnly created %s", path)
		}
	})
	t.Run("not a rivalwatch database", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "other.db")
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := OpenReadOnly(ctx, path)
		if err == nil || !strings.Contains(err.Error(), "not a rivalwatch database") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("refuses writes", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "rw.db")
		w, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		mustSave(t, w, snapshot("okx", collectors.KindMarket, 3, t0))
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		r, err := OpenReadOnly(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if rows := queryRows(t, r, `SELECT COUNT(*) FROM market_history`); rows[0][0] != int64(3) {
			t.Errorf("market_history has %v rows, want 3", rows[0][0])
		}
		writes := map[string]error{}
		_, writes["Save"] = r.Save(ctx, snapshot("okx", collectors.KindMarket, 3, t0.Add(time.Hour)))
		_, writes["SaveChanges"] = r.SaveChanges(ctx, []diff.Change{{ID: "x"}}, nil)
		writes["MarkDiffed"] = r.MarkDiffed(ctx, 1)
		_, writes["Query INSERT"] = r.Query(ctx, `INSERT INTO run_log (exchange, kind, started_at, finished_at, status,
			items, requests, duration_ms) VALUES ('x', 'y', '', '', 'new', 0, 0, 0)`)
		_, writes["Query PRAGMA"] = r.Query(ctx, `PRAGMA user_version = 7`)
		for name, err := range writes {
			if err == nil {
				t.Errorf("%s on a read-only store succeeded", name)
			}
		}
		if rows := queryRows(t, r, `SELECT COUNT(*) FROM runs`); rows[0][0] != int64(1) {
			t.Errorf("runs has %v rows after refused writes, want 1", rows[0][0])
		}
	})
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustSave(t, s, snapshot("okx", collectors.KindMarket, 3, t0))
	s.Close()

	// Reopening applies nothing twice and keeps the data.
	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if rows := queryRows(t, s, `SELECT COUNT(*) FROM runs`); rows[0][0] != int64(1) {
		t.Errorf("runs after reopen: %v", rows[0][0])
	}
	s.Close()

	// A database from a newer binary is refused rather than misread.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA user_version = 99`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(ctx, path, Options{})
	if err == nil || !strings.Contains(err.Error(), "schema version 99 is newer than this binary knows") {
		t.Errorf("newer schema: error %v", err)
	}
}

// TestConcurrentReaders saves sweeps from one goroutine while others read
// the views, through the same store and through a read-only one: WAL must
// keep every reader going without a single SQLITE_BUSY.
func TestConcurrentReaders(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t)
	mustSave(t, s, snapshot("okx", collectors.KindInstruments, 50, t0))
	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()

	const sweeps = 10
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for i := 1; i <= sweeps; i++ {
			at := t0.Add(time.Duration(i) * 5 * time.Minute)
			for _, kind := range collectors.AllKinds {
				snap := snapshot("okx", kind, 50+i, at)
				if _, err := s.Save(ctx, snap); err != nil {
					errs <- fmt.Errorf("save %d: %w", i, err)
					return
				}
			}
		}
	}()
	for _, reader := range []*Store{s, ro, s, ro} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Read at least once, then until the writer is done.
			for {
				for _, q := range []string{
					`SELECT COUNT(*) FROM instruments_latest`,
					`SELECT symbol, MAX(rate) FROM funding_history GROUP BY symbol`,
					`SELECT * FROM runs ORDER BY id DESC LIMIT 5`,
				} {
					if _, err := reader.Query(ctx, q); err != nil {
						errs <- err
						return
					}
				}
				if _, err := reader.Freshness(ctx); err != nil {
					errs <- err
					return
				}
				select {
				case <-done:
					return
				default:
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if rows := queryRows(t, ro, `SELECT COUNT(*) FROM instruments_latest`); rows[0][0] != int64(50+sweeps) {
		t.Errorf("instruments_latest has %v rows, want %d", rows[0][0], 50+sweeps)
	}
}

// dbBytes is the size of the database with the WAL folded in.
func dbBytes(t testing.TB, s *Store) int64 {
	t.Helper()
	ctx := context.Background()
	if _, err := s.w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	var pages, size int64
	if err := s.w.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if err := s.w.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&size); err != nil {
		t.Fatal(err)
	}
	return pages * size
}

// TestUnchangedGrowth holds the design budget: an unchanged sweep (3
// exchanges × 3 kinds) adds at most 4 KB to the database.
func TestUnchangedGrowth(t *testing.T) {
	s, _ := openTest(t)
	exchanges := []string{"binance", "bybit", "okx"}
	sweep := func(i int) {
		at := t0.Add(time.Duration(i) * 5 * time.Minute)
		for _, ex := range exchanges {
			for _, kind := range collectors.AllKinds {
				snap := snapshot(ex, kind, 200, at)
				// Funding and market carry their fetch time; unchanged
				// content must still be recognised.
				saved := mustSave(t, s, snap)
				if i > 0 && saved.Status != StatusUnchanged {
					t.Fatalf("sweep %d %s %s: %s, want unchanged", i, ex, kind, saved.Status)
				}
			}
		}
	}
	sweep(0)
	before := dbBytes(t, s)
	const sweeps = 50
	for i := 1; i <= sweeps; i++ {
		sweep(i)
	}
	perSweep := float64(dbBytes(t, s)-before) / sweeps
	t.Logf("an unchanged sweep adds %.0f bytes", perSweep)
	if perSweep > 4096 {
		t.Errorf("an unchanged sweep adds %.0f bytes, budget 4096", perSweep)
	}
}

// BenchmarkSave stores a full funding snapshot (1,700 symbols) with new
// content each time, as a 5-minute funding poll does.
func BenchmarkSave(b *testing.B) {
	s, _ := openTest(b)
	snap := snapshot("binance", collectors.KindFunding, 1700, t0)
	mustSave(b, s, snap)
	before := dbBytes(b, s)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		snap.StartedAt = snap.StartedAt.Add(5 * time.Minute)
		for j := range snap.Records.Funding {
			snap.Records.Funding[j].Rate += 1e-6
			snap.Records.Funding[j].ObservedAt = snap.StartedAt
		}
		if saved := mustSave(b, s, snap); saved.Status != StatusNew {
			b.Fatalf("status %s, want new", saved.Status)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(dbBytes(b, s)-before)/float64(b.N), "dbbytes/op")
	b.ReportMetric(float64(dbBytes(b, s)-before)/float64(b.N)/1700, "dbbytes/row")
}
