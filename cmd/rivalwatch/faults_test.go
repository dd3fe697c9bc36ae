package main

import (
	"encoding/csv"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors/exchangetest"
)

// TestNoFalseAlarms drives every failure DESIGN.md names through the real
// CLI against a local server: after a good sweep, one endpoint misbehaves.
// Each time the run must be recorded as failed or incomplete with the
// specific kind, no new complete snapshot may appear, and no change event
// may come out.
func TestNoFalseAlarms(t *testing.T) {
	reply := func(status int, header map[string]string, body string) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, _ *http.Request) {
			for k, v := range header {
				w.Header().Set(k, v)
			}
			w.WriteHeader(status)
			io.WriteString(w, body)
		}
	}
	json := map[string]string{"Content-Type": "application/json"}
	tests := []struct {
		name, exchange, kind, path string
		fail                       func(http.ResponseWriter, *http.Request)
		status, errorKind          string
		maxHits                    int32 // requests the broken endpoint may see in the pull
	}{
		{"429 with Retry-After", "binance", "instruments", "/fapi/v1/exchangeInfo",
			reply(429, map[string]string{"Retry-After": "120"}, `{"code":-1003,"msg":"Too much request weight used"}`), "failed", "rate_limited", 1},
		{"418 IP ban", "binance", "funding", "/fapi/v1/premiumIndex",
			reply(418, map[string]string{"Retry-After": "600"}, `{"code":-1003,"msg":"banned"}`), "failed", "ip_banned", 1},
		{"451 restricted location", "binance", "market", "/fapi/v1/ticker/24hr",
			reply(451, json, `{"code":0,"msg":"Service unavailable from a restricted location"}`), "failed", "geo_blocked", 1},
		{"403 geo-block", "bybit", "instruments", "/v5/market/instruments-info", reply(403, nil, "Forbidden"), "failed", "geo_blocked", 3},
		{"403 too frequent", "bybit", "funding", "/v5/market/tickers",
			reply(403, nil, "access too frequent"), "failed", "rate_limited", 2},
		{"5xx", "okx", "instruments", "/api/v5/public/instruments", reply(502, nil, "bad gateway"), "failed", "server_error", 3},
		{"timeout", "okx", "market", "/api/v5/market/tickers", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
			"failed", "timeout", 3},
		{"HTML challenge page", "bybit", "market", "/v5/market/tickers",
			reply(200, map[string]string{"Content-Type": "text/html"}, "<html><title>Just a moment...</title></html>"), "failed", "not_json", 2},
		{"truncated JSON", "okx", "funding", "/api/v5/public/funding-rate",
			reply(200, json, `{"code":"0","msg":"","data":[{"instId":"BTC-USDT-SWAP","fundingRate":"0.0001`), "failed", "truncated", 1},
		{"retCode != 0", "bybit", "instruments", "/v5/market/instruments-info",
			reply(200, json, `{"retCode":10001,"retMsg":"params error","result":{},"time":1}`), "failed", "api_error", 3},
		{"code != 0", "okx", "market", "/api/v5/public/open-interest",
			reply(200, json, `{"code":"50001","msg":"Service temporarily unavailable","data":[]}`), "failed", "api_error", 1},
		{"empty instrument list", "binance", "instruments", "/fapi/v1/exchangeInfo",
			reply(200, json, `{"timezone":"UTC","serverTime":1,"rateLimits":[],"symbols":[]}`), "failed", "empty", 1},
		{"a failing page of a paged list", "bybit", "instruments", "/v5/market/instruments-info?cursor",
			reply(500, nil, "internal error"), "failed", "server_error", 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			world := exchangetest.Generate(9, time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC), 20, 20, 20)
			var broken atomic.Bool
			var hits atomic.Int32
			path, needsCursor := strings.CutSuffix(tt.path, "?cursor")
			srv := httptest.NewServer(faulty(world, func(w http.ResponseWriter, r *http.Request) bool {
				if !broken.Load() || r.URL.Path != path || (needsCursor && r.URL.Query().Get("cursor") == "") {
					return false
				}
				hits.Add(1)
				tt.fail(w, r)
				return true
			}))
			defer srv.Close()
			dir := t.TempDir()
			// Small pages so Bybit's list takes several. Only the timeout
			// case needs a short timeout; the others get room for a loaded
			// machine, or a slow answer would read as a timeout.
			cfg := writeConfig(t, dir, srv.URL, "")
			timeout := "5s"
			if tt.errorKind == "timeout" {
				timeout = "300ms"
			}
			replaceInFile(t, cfg, "timeout: 2s, retries: 0", "timeout: "+timeout+", retries: 2")
			replaceInFile(t, cfg, "bybit: {rest: {v5: "+srv.URL+", articles: "+srv.URL+"}}", "bybit: {rest: {v5: "+srv.URL+"}, page_limit: 8}")
			one := []string{"collect", "--config", cfg, "--exchange", tt.exchange, "--kind", tt.kind}
			mustRW(t, one...)

			broken.Store(true)
			// Half the listings go too: that must not read as delistings.
			shrink := func(ls []exchangetest.Listing) []exchangetest.Listing { return append(ls[:10:10], ls[len(ls)-2:]...) } // keep the inverse pair
			world.Binance, world.Bybit, world.OKX = shrink(world.Binance), shrink(world.Bybit), shrink(world.OKX)
			out, err := rw(t, one...)
			if err == nil {
				t.Fatalf("collect must fail:\n%s", out)
			}
			if got := hits.Load(); got == 0 || got > tt.maxHits {
				t.Errorf("the broken endpoint saw %d requests, want 1..%d (no hammering)", got, tt.maxHits)
			}
			rows := csvRows(t, mustRW(t, "sql", "--config", cfg, "--format", "csv",
				"SELECT status, error_kind, error, snapshot_id FROM runs ORDER BY id DESC LIMIT 1"))
			if got := rows[1]; got[0] != tt.status || got[1] != tt.errorKind || got[2] == "" || got[3] != "" {
				t.Errorf("last run = %q, want %s/%s with a reason and no snapshot", got, tt.status, tt.errorKind)
			}
			if n := csvRows(t, mustRW(t, "sql", "--config", cfg, "--format", "csv", "SELECT COUNT(*) FROM changes")); n[1][0] != "0" {
				t.Errorf("%s change events from a failed pull", n[1][0])
			}
		})
	}
}

// TestDelistingNeedsTwoCompleteSnapshots: a symbol missing once is not yet
// delisted; missing from a second complete snapshot it is, exactly once.
func TestDelistingNeedsTwoCompleteSnapshots(t *testing.T) {
	world := exchangetest.Generate(9, time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC), 20, 20, 20)
	srv := httptest.NewServer(exchangetest.Handler(world, exchangetest.Options{}))
	defer srv.Close()
	cfg := writeConfig(t, t.TempDir(), srv.URL, "")
	pull := []string{"collect", "--config", cfg, "--exchange", "okx", "--kind", "instruments"}
	delistings := func() int {
		rows := csvRows(t, mustRW(t, "sql", "--config", cfg, "--format", "csv",
			"SELECT COUNT(*) FROM changes WHERE type = 'listing.delisted' AND symbol = 'ETH-USDT-SWAP'"))
		return atoiT(t, rows[1][0])
	}
	mustRW(t, pull...)
	world.OKX = append(world.OKX[:1], world.OKX[2:]...) // ETH-USDT-SWAP disappears
	mustRW(t, pull...)
	if n := delistings(); n != 0 {
		t.Fatalf("delisted after one absence (%d events)", n)
	}
	mustRW(t, pull...)
	mustRW(t, pull...)
	if n := delistings(); n != 1 {
		t.Fatalf("%d delisting events after three absences, want exactly 1", n)
	}
}

func csvRows(t *testing.T, s string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("csv %q: %v", s, err)
	}
	return rows
}

func atoiT(t *testing.T, s string) int {
	t.Helper()
	var n int
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("not a count: %q", s)
		}
		n = n*10 + int(c-'0')
	}
	return n
}
