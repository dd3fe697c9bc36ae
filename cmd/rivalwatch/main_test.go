package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors/exchangetest"
)

// clocks holds the clock each test pinned; tests without one run on
// time.Now. Per test, so tests can run in parallel.
var clocks sync.Map // *testing.T → func() time.Time

// fixClock pins the CLI's clock for one test.
func fixClock(t *testing.T, at time.Time) {
	t.Helper()
	clocks.Store(t, func() time.Time { return at })
	t.Cleanup(func() { clocks.Delete(t) })
}

// testEnv is the environment a test's commands run in.
func testEnv(t *testing.T, stdout, stderr io.Writer) env {
	now := time.Now
	if c, ok := clocks.Load(t); ok {
		now = c.(func() time.Time)
	}
	return newEnv(strings.NewReader(""), stdout, stderr, now)
}

// rw runs one CLI command and returns what it printed.
func rw(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), testEnv(t, &out, &errOut), args)
	return out.String() + errOut.String(), err
}

func mustRW(t *testing.T, args ...string) string {
	t.Helper()
	out, err := rw(t, args...)
	if err != nil {
		t.Fatalf("rivalwatch %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// TestDemoEndToEnd runs the demo over its embedded cassettes and checks
// the events a person should see, the digest (golden, -update rewrites it)
// and that re-running diff duplicates nothing.
func TestDemoEndToEnd(t *testing.T) {
	fixClock(t, time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	dir := t.TempDir()
	out := mustRW(t, "demo", "--dir", dir)
	for _, want := range []string{"Round 1 (yesterday), 2026-11-24 09:00 UTC", "Round 2 (today), 2026-11-25 09:00 UTC",
		"What matters today (2026-11-25)", "rivalwatch-demo-digest.html", "rivalwatch-demo-digest.md"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	db := filepath.Join(dir, "rivalwatch-demo.db")
	got := mustRW(t, "sql", "--db", db, "--format", "csv",
		"SELECT type, exchange, symbol, field, old, new FROM changes ORDER BY type, exchange, symbol, field")
	for _, want := range []string{
		"listing.new,binance,ZORAUSDT,,,trading",
		"listing.new,bybit,ZORAUSDT,,,trading",
		"listing.prelaunch,okx,MEGA-USDT-SWAP,,,prelaunch",
		"listing.delisted,binance,ORDIUSDT,,trading,settling",
		"listing.param,binance,XRPUSDT,tick_size,",
		"listing.param,bybit,TONUSDT,max_leverage,50x,75x",
		"funding.interval,binance,WIFUSDT,,8 h,4 h",
		"funding.interval,bybit,SOLUSDT,,8 h,4 h",
		"funding.cap,okx,BTC-USDT-SWAP,cap/floor,±200 bps per 8 h,±50 bps per 8 h",
		"funding.divergence,,WIF/USDT:USDT,", // a cross-exchange event: its exchanges are a list
		"funding.extreme,binance,WIFUSDT,",
		"fee.tier,bybit,,USDⓈ-M VIP0 taker,5.5 bps,4.5 bps",
		// From the announcement feeds and yield products.
		"listing.announced,binance,MEGAUSDT,c3f2e4d6b8a0c2e4d6b8a0c2e4d6b8a0,,launch 2026-11-26 14:00 UTC",
		"promo.new,bybit,ZORAUSDT,/article/zora-trading-competition-blt9d4,,ZORA Trading Competition",
		"promo.new,okx,SOL-USDT-SWAP,/help/zero-maker-fees-sol-usdt-swap,,Limited-time promotion",
		"fee.announced,okx,SOL-USDT-SWAP,/help/zero-maker-fees-sol-usdt-swap,,Limited-time promotion",
		"funding.announced,binance,SOLUSDT,b2e1d3c5a7f9b1d3c5a7f9b1d3c5a7f9,,funding every 4 h",
		"listing.delisting_announced,okx,ORDI-USDT-SWAP,/help/okx-to-delist-ordi-usdt-swap,,settles 2026-11-28 08:00 UTC",
		"promo.ending,bybit,WIFUSDT,",
		"yield.apr,bybit,USDT,best_apr,5%/yr,",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("changes lack %q:\n%s", want, got)
		}
	}
	if div := mustRW(t, "sql", "--db", db, "--format", "csv", "SELECT exchanges FROM changes WHERE type = 'funding.divergence'"); !strings.Contains(div, `"[""binance"",""bybit""]"`) {
		t.Errorf("the divergence's exchanges column: %s", div)
	}
	if n := strings.Count(got, "\n") - 1; n != 22 {
		t.Errorf("%d change events, want 22:\n%s", n, got)
	}
	// ZORA's listing carries the announcement that came a day before it.
	if ev := mustRW(t, "sql", "--db", db, "--format", "csv", "SELECT source_at, evidence FROM changes WHERE type = 'listing.new' AND exchange = 'binance'"); !strings.Contains(ev, "2026-11-24T06:00:00.000Z") || !strings.Contains(ev, "announced_at") {
		t.Errorf("ZORA's listing.new is not linked to its announcement: %s", ev)
	}
	if out := mustRW(t, "diff", "--db", db); !strings.Contains(out, "0 new change events") {
		t.Errorf("re-running diff must add nothing: %s", out)
	}
	md, err := os.ReadFile(filepath.Join(dir, "rivalwatch-demo-digest.md"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "demo-digest.md", md)
	for _, f := range []string{"rivalwatch-demo-digest.html", "rivalwatch-demo-digest-funding.png", "rivalwatch-demo-digest-volume.png"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s missing or empty: %v", f, err)
		}
	}
	// The report command writes the same day's digest from the database.
	js := filepath.Join(dir, "day.json")
	mustRW(t, "report", "--db", db, "--date", "2026-11-25", "--format", "json", "--out", js)
	var d struct {
		Date     string `json:"date"`
		Headline []any  `json:"headline"`
	}
	b, _ := os.ReadFile(js)
	if err := json.Unmarshal(b, &d); err != nil || d.Date != "2026-11-25" || len(d.Headline) < 3 {
		t.Errorf("report json: %v %+v", err, d)
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; rerun with -update if deliberate\n--- got ---\n%s", path, got)
	}
}

// writeConfig writes a config pointing every exchange (APIs, the Binance
// web base and the article pages) at base.
func writeConfig(t *testing.T, dir, base string, extra string) string {
	t.Helper()
	cfg := fmt.Sprintf(`database: %s
http: {timeout: 2s, retries: 0, max_retry_wait: 0s}
exchanges:
  binance: {rest: {usdm: %[2]s, coinm: %[2]s, web: %[2]s}, open_interest_top: 5}
  bybit: {rest: {v5: %[2]s, articles: %[2]s}}
  okx: {rest: {v5: %[2]s, articles: %[2]s}}
pages: {delay: 0s}
%s`, filepath.Join(dir, "rw.db"), base, extra)
	path := filepath.Join(dir, "rw.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// faulty serves the simulated exchanges, except what breaks says.
func faulty(w *exchangetest.World, breaks func(w http.ResponseWriter, r *http.Request) bool) http.Handler {
	h := exchangetest.Handler(w, exchangetest.Options{})
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if breaks == nil || !breaks(rw, r) {
			h.ServeHTTP(rw, r)
		}
	})
}

// TestCollectStoresWhatSucceeded: one exchange rate-limits us, another
// sends a challenge page; the third is stored, the run exits non-zero,
// every failure is recorded with its kind, and no change event comes out
// of a failed or implausible pull.
func TestCollectStoresWhatSucceeded(t *testing.T) {
	world := exchangetest.Generate(3, time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC), 30, 30, 30)
	var broken bool
	srv := httptest.NewServer(faulty(world, func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case strings.HasPrefix(r.URL.Path, "/v5/"):
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		case broken && strings.HasPrefix(r.URL.Path, "/api/v5/"):
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html>Just a moment...</html>")
			return true
		}
		return false
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfg := writeConfig(t, dir, srv.URL, "")

	out, err := rw(t, "collect", "--config", cfg)
	if err == nil || !strings.Contains(err.Error(), "5 of 14 pulls failed") {
		t.Fatalf("want Bybit's 5 of 14 failed, got %v\n%s", err, out)
	}
	if !strings.Contains(out, "rate_limited (HTTP 429)") {
		t.Errorf("the failure should say why:\n%s", out)
	}
	broken = true
	world.OKX = world.OKX[:5] // would look like 25 delistings if it were believed
	rw(t, "collect", "--config", cfg)
	runs := mustRW(t, "sql", "--config", cfg, "--format", "csv",
		"SELECT exchange, kind, status, error_kind FROM runs ORDER BY id")
	for _, want := range []string{"bybit,instruments,failed,rate_limited", "okx,funding,failed,not_json", "binance,market,unchanged,"} {
		if !strings.Contains(runs, want) {
			t.Errorf("runs lack %q:\n%s", want, runs)
		}
	}
	changes := mustRW(t, "sql", "--config", cfg, "SELECT COUNT(*) AS n FROM changes")
	if !strings.Contains(changes, "\n0 ") && !strings.Contains(changes, "\n0\n") {
		t.Errorf("failed pulls produced change events:\n%s", changes)
	}
}

// TestImplausiblePullIsKeptAside: a list far shorter than the last
// complete one is stored as incomplete and never compared.
func TestImplausiblePullIsKeptAside(t *testing.T) {
	world := exchangetest.Generate(3, time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC), 30, 30, 30)
	srv := httptest.NewServer(exchangetest.Handler(world, exchangetest.Options{}))
	defer srv.Close()
	dir := t.TempDir()
	cfg := writeConfig(t, dir, srv.URL, "")
	mustRW(t, "collect", "--config", cfg, "--exchange", "okx", "--kind", "instruments")
	world.OKX = world.OKX[:5]
	out, err := rw(t, "collect", "--config", cfg, "--exchange", "okx", "--kind", "instruments")
	if err == nil || !strings.Contains(out, "incomplete") || !strings.Contains(out, "16% of the last complete snapshot") {
		t.Fatalf("want an incomplete pull, got %v\n%s", err, out)
	}
	got := mustRW(t, "sql", "--config", cfg, "--format", "csv", "SELECT COUNT(*) FROM instruments_latest")
	if !strings.Contains(got, "\n32\n") {
		t.Errorf("instruments_latest must still show the complete snapshot (32 rows):\n%s", got)
	}
	if got := mustRW(t, "changes", "--config", cfg, "--format", "csv"); strings.Count(got, "\n") != 1 {
		t.Errorf("an implausible pull produced events:\n%s", got)
	}
}

func TestSQLCommand(t *testing.T) {
	fixClock(t, time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	dir := t.TempDir()
	mustRW(t, "demo", "--dir", dir)
	db := filepath.Join(dir, "rivalwatch-demo.db")

	schema := mustRW(t, "sql", "--db", db, "--schema")
	for _, view := range []string{"instruments_latest", "instruments_history", "funding_history", "market_history", "runs", "changes"} {
		if !strings.Contains(schema, view+"\n") {
			t.Errorf("schema lacks %s:\n%s", view, schema)
		}
	}
	q := "SELECT exchange, symbol, max_leverage FROM instruments_latest WHERE symbol = 'TONUSDT'"
	if got := mustRW(t, "sql", "--db", db, q); !strings.Contains(got, "bybit     TONUSDT  75") || !strings.Contains(got, "(2 rows)") {
		t.Errorf("table output:\n%s", got)
	}
	if got := mustRW(t, "sql", q, "--db", db, "--format", "json"); !strings.Contains(got, `"max_leverage": 75`) {
		t.Errorf("json output (flags after the query):\n%s", got)
	}
	if _, err := rw(t, "sql", "--db", db, "DELETE FROM runs"); err == nil {
		t.Error("sql must refuse to write")
	}
	if _, err := rw(t, "sql", "--db", filepath.Join(dir, "nope.db"), "SELECT 1"); err == nil || !strings.Contains(err.Error(), "run `rivalwatch collect` or `rivalwatch demo` first") {
		t.Errorf("missing database: %v", err)
	}
}

func TestRecordThenReplay(t *testing.T) {
	world := exchangetest.Generate(5, time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC), 12, 10, 8)
	srv := httptest.NewServer(exchangetest.Handler(world, exchangetest.Options{}))
	defer srv.Close()
	dir := t.TempDir()
	cassette := filepath.Join(dir, "cassette")
	out := mustRW(t, "record", "--config", writeConfig(t, dir, srv.URL, ""), "--out", cassette)
	if !strings.Contains(out, "Saved") {
		t.Fatalf("record: %s", out)
	}
	srv.Close() // from here on, only the cassette answers

	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, testEnv(t, pw, io.Discard), []string{"replay", cassette, "--listen", "127.0.0.1:0"})
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	addr := line[strings.Index(line, "http://"):]
	addr = strings.TrimSpace(addr)

	replayDir := t.TempDir()
	got := mustRW(t, "collect", "--config", writeConfig(t, replayDir, addr, ""))
	for _, want := range []string{"binance   instruments    new     14", "okx       market         new     10", "bybit     yield          new     5"} {
		if !strings.Contains(got, want) {
			t.Errorf("collect against the replay lacks %q:\n%s", want, got)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("replay: %v", err)
	}
}

func TestBadCommandLinesAndConfigs(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("exchanges:\n  okx:\n    rest:\n      v5: www.okx.com\n    speed: 3\n"), 0o644)
	_, err := rw(t, "collect", "--config", bad)
	for _, want := range []string{`line 5: unknown key "exchanges.okx.speed"`, `exchanges.okx.rest.v5: must be a http or https URL`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in %v", want, err)
		}
	}
	for _, args := range [][]string{{"frobnicate"}, {"collect", "--exchange", "kraken"}, {"collect", "--kind", "prices"}, {"sql"}, {"report", "--date", "yesterday"}, {"replay"}} {
		if _, err := rw(t, args...); err == nil || !strings.Contains(err.Error(), "usage") {
			t.Errorf("%v: want a usage error, got %v", args, err)
		}
	}
	if out := mustRW(t); !strings.Contains(out, "rivalwatch demo") {
		t.Errorf("no arguments should print the usage:\n%s", out)
	}
}

func replaceInFile(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), old) {
		t.Fatalf("%s lacks %q: %v", path, old, err)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReportOnFirstFailedRun: the first collect fails everywhere; the
// digest still comes out, says there are no changes and shows the failures.
func TestReportOnFirstFailedRun(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfg := writeConfig(t, dir, srv.URL, "")
	if _, err := rw(t, "collect", "--config", cfg); err == nil {
		t.Fatal("collect must fail when every pull fails")
	}
	out := filepath.Join(dir, "digest.md")
	mustRW(t, "report", "--config", cfg, "--format", "md", "--out", out)
	md, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"No changes.", "never **STALE**", "(HTTP 503)"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("digest lacks %q:\n%s", want, md)
		}
	}
	if got := mustRW(t, "changes", "--config", cfg); !strings.Contains(got, "(0 rows)") {
		t.Errorf("changes on a database without events:\n%s", got)
	}
}
