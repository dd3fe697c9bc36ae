package main

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors/exchangetest"
)

// TestRateLimitHoldOutlivesTheProcess: OKX answers 429 with Retry-After
// 3600. The next collects (new processes, as from cron) send OKX nothing,
// say so, and record each skipped pull; the other exchanges go on.
func TestRateLimitHoldOutlivesTheProcess(t *testing.T) {
	world := exchangetest.Generate(9, time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC), 20, 20, 20)
	sim := exchangetest.Handler(world, exchangetest.Options{})
	var okxHits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/v5/") {
			okxHits.Add(1)
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"code":"50011","msg":"Too Many Requests"}`))
			return
		}
		sim.ServeHTTP(w, r)
	}))
	defer srv.Close()
	cfg := writeConfig(t, t.TempDir(), srv.URL, "collect: {kinds: [instruments, funding, market]}\n")
	rw(t, "collect", "--config", cfg)
	// In the first collect a pull that starts after another's 429 is held
	// too; only the later collects are known to hold every pull.
	skipped := `SELECT COUNT(*) FROM runs WHERE exchange = 'okx' AND error_kind = 'rate_limited' AND requests = 0`
	heldFirst, _ := strconv.Atoi(csvRows(t, mustRW(t, "sql", "--config", cfg, "--format", "csv", skipped))[1][0])
	first := okxHits.Load()
	if first == 0 {
		t.Fatal("OKX was never asked")
	}
	until := time.Now().Add(time.Hour).UTC()
	for range 2 {
		out, err := rw(t, "collect", "--config", cfg)
		if err == nil {
			t.Errorf("a collect with a held exchange must report it failed:\n%s", out)
		}
		want := "okx: rate-limited until "
		if !strings.Contains(out, want) || !strings.Contains(out, ", skipped") {
			t.Errorf("collect does not say OKX is held:\n%s", out)
		}
		if !strings.Contains(out, until.Format("15:")) && !strings.Contains(out, until.Add(time.Minute).Format("15:")) {
			t.Errorf("collect does not say until when (about %s):\n%s", until.Format("15:04"), out)
		}
	}
	if n := okxHits.Load(); n != first {
		t.Errorf("the held exchange got %d more requests, want 0", n-first)
	}
	held, _ := strconv.Atoi(csvRows(t, mustRW(t, "sql", "--config", cfg, "--format", "csv", skipped))[1][0])
	if held-heldFirst != 6 {
		t.Errorf("%d skipped OKX pulls recorded by the later collects, want 6 (3 kinds × 2 collects)", held-heldFirst)
	}
	if n := csvRows(t, mustRW(t, "sql", "--config", cfg, "--format", "csv", "SELECT COUNT(*) FROM runs WHERE exchange = 'binance' AND status = 'failed'")); n[1][0] != "0" {
		t.Errorf("a hold on OKX failed %s Binance pulls", n[1][0])
	}
}
