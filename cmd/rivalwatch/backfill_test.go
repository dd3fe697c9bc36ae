package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/exchangetest"
)

// historyPath reports the exchanges' funding history endpoints.
func historyPath(p string) bool {
	return p == "/fapi/v1/fundingRate" || p == "/dapi/v1/fundingRate" || p == "/v5/market/funding/history" ||
		p == "/api/v5/public/funding-rate-history"
}

// wantBackfill counts the settlements the simulator publishes in the last
// days for the perpetuals backfill covers.
func wantBackfill(w *exchangetest.World, days int) int {
	from := w.Now.AddDate(0, 0, -days)
	n := 0
	for ex, ls := range map[string][]exchangetest.Listing{"binance": w.Binance, "bybit": w.Bybit, "okx": w.OKX} {
		for _, l := range ls {
			if !l.DeliveryAt.IsZero() || l.Status == collectors.StatusDelisted || (ex == "bybit" && l.Inverse()) {
				continue
			}
			for _, s := range w.History(l) {
				if !s.At.Before(from) {
					n++
				}
			}
		}
	}
	return n
}

func backfillCounts(t *testing.T, cfg string) string {
	t.Helper()
	return mustRW(t, "sql", "--config", cfg, "--format", "csv",
		`SELECT COUNT(*) AS n, COUNT(DISTINCT exchange || symbol || observed_at) AS distinct_n,
		        SUM(interval_hours IS NULL OR unified = '') AS incomplete FROM funding_history WHERE origin = 'backfill'`)
}

func TestBackfillFunding(t *testing.T) {
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	fixClock(t, now)
	world := exchangetest.Generate(5, now, 6, 6, 6)
	var limited atomic.Int64
	srv := httptest.NewServer(faulty(world, func(w http.ResponseWriter, r *http.Request) bool {
		// Bybit asks us to wait once, mid-backfill.
		if r.URL.Path == "/v5/market/funding/history" && limited.Add(1) == 3 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}
		return false
	}))
	defer srv.Close()
	cfg := writeConfig(t, t.TempDir(), srv.URL, "")
	mustRW(t, "collect", "--config", cfg, "--kind", "instruments")

	out := mustRW(t, "backfill", "funding", "--days", "30", "--config", cfg)
	want := wantBackfill(world, 30)
	if !strings.Contains(out, fmt.Sprintf("backfilled %d new funding settlements", want)) {
		t.Errorf("want %d settlements:\n%s", want, out)
	}
	if !strings.Contains(out, "funding history: ") {
		t.Errorf("no progress lines off a terminal:\n%s", out)
	}
	wantCounts := fmt.Sprintf("n,distinct_n,incomplete\n%d,%d,0\n", want, want)
	if got := backfillCounts(t, cfg); got != wantCounts {
		t.Errorf("stored:\n%s\nwant:\n%s", got, wantCounts)
	}
	// Run again: nothing new, nothing twice.
	if out := mustRW(t, "backfill", "funding", "--days", "30", "--config", cfg); !strings.Contains(out, "backfilled 0 new") {
		t.Errorf("second run:\n%s", out)
	}
	if got := backfillCounts(t, cfg); got != wantCounts {
		t.Errorf("after the second run:\n%s\nwant:\n%s", got, wantCounts)
	}
	rates := mustRW(t, "sql", "--config", cfg, "--format", "csv", `SELECT interval_hours, COUNT(*) AS n FROM funding_history
		WHERE origin = 'backfill' AND exchange = 'okx' GROUP BY 1 ORDER BY 1`)
	if strings.Count(rates, "\n") < 2 {
		t.Errorf("okx intervals:\n%s", rates)
	}
}

func TestBackfillResumesAfterInterrupt(t *testing.T) {
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	fixClock(t, now)
	world := exchangetest.Generate(9, now, 8, 8, 8)
	ctx, cancel := context.WithCancel(context.Background())
	var seen atomic.Int64
	srv := httptest.NewServer(faulty(world, func(w http.ResponseWriter, r *http.Request) bool {
		if historyPath(r.URL.Path) && seen.Add(1) == 12 {
			cancel() // Ctrl-C mid-backfill
		}
		return false
	}))
	defer srv.Close()
	cfg := writeConfig(t, t.TempDir(), srv.URL, "")
	mustRW(t, "collect", "--config", cfg, "--kind", "instruments")

	var out bytes.Buffer
	err := run(ctx, testEnv(t, &out, &out), []string{"backfill", "funding", "--days", "60", "--config", cfg})
	if err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("want an interrupted run, got %v\n%s", err, out.String())
	}
	partial := mustRW(t, "sql", "--config", cfg, "--format", "csv", `SELECT COUNT(*) AS n FROM backfill_progress`)
	if partial == "n\n0\n" || partial == fmt.Sprintf("n\n%d\n", 24) {
		t.Errorf("the interrupt should leave some symbols done: %s", partial)
	}
	mustRW(t, "backfill", "funding", "--days", "60", "--config", cfg)
	want := wantBackfill(world, 60)
	if got, wantCounts := backfillCounts(t, cfg), fmt.Sprintf("n,distinct_n,incomplete\n%d,%d,0\n", want, want); got != wantCounts {
		t.Errorf("after resuming:\n%s\nwant:\n%s", got, wantCounts)
	}
}

func TestBackfillArguments(t *testing.T) {
	for _, args := range [][]string{{"backfill"}, {"backfill", "market"}, {"backfill", "funding", "--days", "0"},
		{"backfill", "funding", "--exchange", "kraken"}} {
		if _, err := rw(t, args...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
