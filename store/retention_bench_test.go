package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	yearSymbols = flag.Int("year.symbols", 1700, "BenchmarkYearOfFunding: perpetuals across the three exchanges")
	yearDays    = flag.Int("year.days", 365, "BenchmarkYearOfFunding: simulated days")
	yearKeep    = flag.String("year.keep", "", "BenchmarkYearOfFunding: leave the database in this existing folder")
)

// BenchmarkYearOfFunding writes a simulated year of 5-minute funding
// sweeps for 1,700 perpetuals, compacting every night as the daemon does
// with the default 14-day raw window, then reports the database size, the
// time to read one symbol's year from funding_history and the process's
// peak RSS. The last night's compaction is left out, so the year is read
// at its slowest: with a whole day of sweeps not folded yet.
//
// To run in minutes rather than hours, the days that will be compacted
// are written with only the sweeps compaction keeps (each hour's last,
// which is also each settlement's: settlements fall on the hour), and the
// last 14 days with all 288 sweeps a day; rows go in with one prepared
// statement per day instead of through Save (whose cost per sweep the
// cmd benchmark measures). Compaction itself is the real one, every day.
//
//	go test ./store -run '^$' -bench YearOfFunding -benchtime 1x -timeout 60m
func BenchmarkYearOfFunding(b *testing.B) {
	ctx := context.Background()
	dir := *yearKeep
	if dir == "" {
		dir = b.TempDir()
	}
	path := filepath.Join(dir, "year.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	exchanges := []struct {
		name string
		n    int
	}{{"binance", *yearSymbols * 38 / 100}, {"bybit", *yearSymbols * 33 / 100}, {"okx", 0}}
	exchanges[2].n = *yearSymbols - exchanges[0].n - exchanges[1].n
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	raw := 14 * 24 * time.Hour
	began := time.Now()
	var compactTime time.Duration
	seq := 0
	for day := range *yearDays {
		dayStart := start.AddDate(0, 0, day)
		full := day >= *yearDays-14
		if err := writeFundingDay(ctx, s, dayStart, full, exchanges, &seq); err != nil {
			b.Fatal(err)
		}
		if day == *yearDays-1 {
			break // read at the worst moment: a whole day not folded yet
		}
		t := time.Now()
		if _, err := s.Compact(ctx, dayStart.Add(24*time.Hour-raw)); err != nil {
			b.Fatal(err)
		}
		compactTime += time.Since(t)
		if day%30 == 0 {
			b.Logf("day %d: %s elapsed", day, time.Since(began).Round(time.Second))
		}
	}
	if _, err := s.w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		b.Fatal(err)
	}
	size := fileSize(path) + fileSize(path+"-wal")
	var rows int
	if err := s.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM funding_samples").Scan(&rows); err != nil {
		b.Fatal(err)
	}

	// One symbol's year, as an analyst asks for it.
	var times []time.Duration
	var n int
	for i := range 21 {
		t := time.Now()
		res, err := s.Query(ctx, `SELECT * FROM funding_history WHERE exchange = ? AND symbol = ? ORDER BY observed_at`,
			"bybit", fmt.Sprintf("S%04dUSDT", i%5))
		if err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(t))
		n = len(res.Rows)
	}
	slices.Sort(times)
	// The same rows scanned without Query's conversion for printing.
	var scans []time.Duration
	for i := range 21 {
		t := time.Now()
		rows, err := s.r.QueryContext(ctx, `SELECT rate, observed_at FROM funding_history WHERE exchange = ? AND symbol = ? ORDER BY observed_at`,
			"bybit", fmt.Sprintf("S%04dUSDT", i%5))
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var rate float64
			var at string
			if err := rows.Scan(&rate, &at); err != nil {
				b.Fatal(err)
			}
		}
		rows.Close()
		scans = append(scans, time.Since(t))
	}
	slices.Sort(scans)
	// Every column, scanned as the driver hands it over, as an analyst's
	// own program would read it.
	var wide []time.Duration
	for i := range 21 {
		t := time.Now()
		rows, err := s.r.QueryContext(ctx, `SELECT * FROM funding_history WHERE exchange = ? AND symbol = ? ORDER BY observed_at`,
			"bybit", fmt.Sprintf("S%04dUSDT", i%5))
		if err != nil {
			b.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals, ptrs := make([]any, len(cols)), make([]any, len(cols))
		for j := range vals {
			ptrs[j] = &vals[j]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				b.Fatal(err)
			}
		}
		rows.Close()
		wide = append(wide, time.Since(t))
	}
	slices.Sort(wide)
	b.ReportMetric(float64(scans[len(scans)/2].Microseconds())/1000, "ms/symbol-year-scan")
	b.ReportMetric(float64(wide[len(wide)/2].Microseconds())/1000, "ms/symbol-year-all-columns")
	b.ReportMetric(float64(size)/(1<<20), "MB")
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms/symbol-year")
	b.ReportMetric(float64(n), "rows/symbol-year")
	b.ReportMetric(peakRSS()/(1<<20), "peakRSS-MB")
	b.Logf("%d symbols, %d days in %s (compaction %s); %d compacted rows; database %d MB; one symbol's year: %d rows in %s (median of 21); peak RSS %.0f MB; %d CPUs",
		*yearSymbols, *yearDays, time.Since(began).Round(time.Second), compactTime.Round(time.Second), rows, size>>20,
		n, times[len(times)/2], peakRSS()/(1<<20), runtime.NumCPU())
}

// writeFundingDay writes one day of funding sweeps of every exchange in
// one transaction: all 288 sweeps when full, else each hour's last.
func writeFundingDay(ctx context.Context, s *Store, day time.Time, full bool, exchanges []struct {
	name string
	n    int
}, seq *int) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	snap, err := tx.PrepareContext(ctx, `INSERT INTO snapshots (exchange, kind, complete, items, content_hash, first_seen_at, last_seen_at)
		VALUES (?, 'funding', 1, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	run, err := tx.PrepareContext(ctx, `INSERT INTO run_log (exchange, kind, started_at, finished_at, status, items, requests, duration_ms, snapshot_id, diffed_at)
		VALUES (?, 'funding', ?, ?, 'new', ?, 2, 400, ?, ?)`)
	if err != nil {
		return err
	}
	row, err := tx.PrepareContext(ctx, `INSERT INTO funding_rows
		(snapshot_id, symbol, unified, rate, interval_hours, cap, floor, next_funding_at, mark_price, observed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	step, first := 5*time.Minute, 0*time.Minute
	if !full {
		step, first = time.Hour, 55*time.Minute
	}
	for at := day.Add(first); at.Before(day.Add(24 * time.Hour)); at = at.Add(step) {
		*seq++
		when := timeValue(at)
		next := timeValue(at.Truncate(8 * time.Hour).Add(8 * time.Hour))
		for _, ex := range exchanges {
			var h [8]byte
			binary.BigEndian.PutUint64(h[:], uint64(*seq))
			sum := sha256.Sum256(append(h[:], ex.name...))
			res, err := snap.ExecContext(ctx, ex.name, ex.n, sum[:], when, when)
			if err != nil {
				return err
			}
			id, err := res.LastInsertId()
			if err != nil {
				return err
			}
			if _, err := run.ExecContext(ctx, ex.name, when, when, ex.n, id, when); err != nil {
				return err
			}
			for i := range ex.n {
				symbol := fmt.Sprintf("S%04dUSDT", i)
				if ex.name == "okx" {
					symbol = fmt.Sprintf("S%04d-USDT-SWAP", i)
				}
				rate := float64((*seq*7+i*13)%2001-1000) * 1e-7
				if _, err := row.ExecContext(ctx, id, symbol, fmt.Sprintf("S%04d/USDT:USDT", i), rate, 8.0, 0.0075, -0.0075,
					next, 100+float64((*seq+i)%997)/7, when); err != nil {
					return err
				}
			}
		}
	}
	return tx.Commit()
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// peakRSS is the process's peak resident set (VmHWM) in bytes, 0 where
// /proc is unavailable.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb)
			return kb * 1024
		}
	}
	return 0
}
