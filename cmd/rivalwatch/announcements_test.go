package main

import (
	"bytes"
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

// newsAt is when the announcement tests' rivals publish.
var newsAt = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)

// newsWorld is a small market with one article per exchange.
func newsWorld() *exchangetest.World {
	w := exchangetest.Generate(5, newsAt, 10, 10, 10)
	w.BinanceNews = []exchangetest.Article{{ID: "aa11", Feed: "48", PublishedAt: newsAt.Add(-time.Hour),
		Title: "Binance Futures Will Launch USDⓈ-Margined FOOUSDT Perpetual Contract",
		Body:  "Contract | FOOUSDT Perpetual Contract\nLaunch Time | 2026-11-26 08:00 (UTC)\nMaximum Leverage | 50x"}}
	w.BybitNews = []exchangetest.Article{{ID: "bar-trading-competition-blt1", Feed: "latest_activities", PublishedAt: newsAt.Add(-2 * time.Hour),
		Title: "BAR Trading Competition: Share a $100K Prize Pool", Body: "Trade BARUSDT to share a prize pool of 100,000 USDT."}}
	w.OKXNews = []exchangetest.Article{{ID: "okx-to-delist-baz-usdt-swap", Feed: "announcements-delistings", PublishedAt: newsAt.Add(-3 * time.Hour),
		Title: "OKX to delist BAZ-USDT-SWAP perpetual contract", Body: "OKX will delist BAZ-USDT-SWAP at 08:00 UTC on Nov 28, 2026."}}
	return w
}

// newsServer serves w, letting override answer a request first; it counts
// requests per path.
type newsServer struct {
	*httptest.Server
	mu       sync.Mutex
	hits     map[string]int
	override func(w http.ResponseWriter, r *http.Request) bool
}

func startNews(t *testing.T, w *exchangetest.World) *newsServer {
	t.Helper()
	s := &newsServer{hits: map[string]int{}}
	h := exchangetest.Handler(w, exchangetest.Options{})
	s.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		override := s.override
		s.mu.Unlock()
		if override == nil || !override(rw, r) {
			h.ServeHTTP(rw, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *newsServer) set(f func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.override, s.hits = f, map[string]int{}
}

func (s *newsServer) count(prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for p, c := range s.hits {
		if strings.HasPrefix(p, prefix) {
			n += c
		}
	}
	return n
}

const (
	cmsList   = "/bapi/composite/v1/public/cms/article/list/query"
	cmsDetail = "/bapi/composite/v1/public/cms/article/detail/query"
)

// TestAnnouncementsCollect: announcements come in with `collect`,
// classified and stored once each; a second sweep with nothing new costs
// one list request per feed and fetches no article; the next day's launch
// announced ahead is an event at once.
func TestAnnouncementsCollect(t *testing.T) {
	fixClock(t, newsAt.Add(time.Hour))
	w := newsWorld()
	srv := startNews(t, w)
	cfg := writeConfig(t, t.TempDir(), srv.URL, "")
	mustRW(t, "collect", "--config", cfg, "--kind", "announcements")
	rows := csvRows(t, mustRW(t, "sql", "--config", cfg, "--format", "csv",
		"SELECT exchange, category, symbols, reward_pool_usd, starts_at FROM announcements ORDER BY exchange"))
	want := [][]string{
		{"binance", "perp_launch", `["FOOUSDT"]`, "", "2026-11-26T08:00:00.000Z"},
		{"bybit", "trading_competition", `["BARUSDT"]`, "100000", ""},
		{"okx", "delisting", `["BAZ-USDT-SWAP"]`, "", "2026-11-28T08:00:00.000Z"},
	}
	for i, w := range want {
		if strings.Join(rows[i+1], "|") != strings.Join(w, "|") {
			t.Errorf("announcement %d: %q, want %q", i, rows[i+1], w)
		}
	}

	srv.set(nil)
	out := mustRW(t, "collect", "--config", cfg, "--kind", "announcements")
	feeds := map[string]int{cmsList: 5, "/v5/announcements/index": 4, "/api/v5/support/announcements": 5}
	for path, n := range feeds {
		if got := srv.count(path); got != n {
			t.Errorf("a sweep with nothing new sent %d requests to %s, want %d (one per feed)", got, path, n)
		}
	}
	for _, page := range []string{cmsDetail, "/en/article/", "/help/"} {
		if got := srv.count(page); got != 0 {
			t.Errorf("a sweep with nothing new fetched %d articles from %s", got, page)
		}
	}
	if !strings.Contains(out, "announcements  new") && !strings.Contains(out, "announcements  unchanged") {
		t.Errorf("a sweep with nothing new must be complete:\n%s", out)
	}

	w.BinanceNews = append(w.BinanceNews, exchangetest.Article{ID: "bb22", Feed: "48", PublishedAt: newsAt.Add(30 * time.Minute),
		Title: "Binance Futures Will Launch USDⓈ-Margined QUXUSDT Perpetual Contract",
		Body:  "Contract | QUXUSDT Perpetual Contract\nLaunch Time | 2026-11-27 08:00 (UTC)"})
	mustRW(t, "collect", "--config", cfg, "--kind", "announcements", "--exchange", "binance")
	if got := srv.count(cmsDetail); got != 1 {
		t.Errorf("one new article: %d detail requests, want 1", got)
	}
	got := mustRW(t, "sql", "--config", cfg, "--format", "csv", "SELECT type, symbol, new, source_at FROM changes")
	if !strings.Contains(got, "listing.announced,QUXUSDT,launch 2026-11-27 08:00 UTC,2026-11-25T08:30:00.000Z") {
		t.Errorf("the launch announced ahead:\n%s", got)
	}
}

// TestAnnouncementsBadInput: every way the feeds go wrong that the issue
// lists, through the CLI against a local server. A failed feed is a failed
// run and no event; an article that cannot be read is stored from its
// title, marked body-missing, and fetched again next sweep.
func TestAnnouncementsBadInput(t *testing.T) {
	html := func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><title>Human verification</title></html>")
	}
	tests := []struct {
		name, exchange string
		serve          func(w http.ResponseWriter, r *http.Request) bool
		errorKind      string // "" when the run is complete
		check          func(t *testing.T, cfg string, srv *newsServer)
	}{
		{"CMS challenge page", "binance", func(w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path != cmsList {
				return false
			}
			html(w)
			return true
		}, "not_json", nil},
		{"CMS code other than 000000", "binance", func(w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path != cmsList {
				return false
			}
			io.WriteString(w, `{"code":"100001","message":"system busy","data":null,"success":false}`)
			return true
		}, "api_error", nil},
		{"a list repeating articles within and across catalogs", "binance", func(w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path != cmsList {
				return false
			}
			io.WriteString(w, `{"code":"000000","data":{"catalogs":[{"catalogId":48,"articles":[
				{"code":"aa11","title":"Binance Futures Will Launch USDⓈ-Margined FOOUSDT Perpetual Contract","releaseDate":1795590000000},
				{"code":"aa11","title":"Binance Futures Will Launch USDⓈ-Margined FOOUSDT Perpetual Contract","releaseDate":1795590000000}]}]}}`)
			return true
		}, "", func(t *testing.T, cfg string, srv *newsServer) {
			rows := csvRows(t, mustRW(t, "sql", "--config", cfg, "--format", "csv", "SELECT COUNT(*) FROM announcements WHERE exchange = 'binance'"))
			if rows[1][0] != "1" || srv.count(cmsDetail) != 1 {
				t.Errorf("%s stored, %d bodies fetched; want the article once", rows[1][0], srv.count(cmsDetail))
			}
		}},
		{"an article page that fails", "bybit", func(w http.ResponseWriter, r *http.Request) bool {
			if !strings.HasPrefix(r.URL.Path, "/en/article/") {
				return false
			}
			http.Error(w, "bad gateway", http.StatusBadGateway)
			return true
		}, "", bodyMissingThenRetried},
		{"a truncated article page", "okx", func(w http.ResponseWriter, r *http.Request) bool {
			if !strings.HasPrefix(r.URL.Path, "/help/") {
				return false
			}
			w.Header().Set("Content-Length", "5000")
			io.WriteString(w, "<html><body><article>OKX will del")
			return true
		}, "", bodyMissingThenRetried},
		{"a 50 MB article", "okx", func(w http.ResponseWriter, r *http.Request) bool {
			if !strings.HasPrefix(r.URL.Path, "/help/") {
				return false
			}
			w.Header().Set("Content-Type", "text/html")
			chunk := bytes.Repeat([]byte("<p>lorem ipsum</p>"), 1<<16)
			for sent := 0; sent < 50<<20; sent += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return true // the client gave up: the cap held
				}
			}
			return true
		}, "", bodyMissingThenRetried},
		{"Bybit's startDataTimestamp spelling", "bybit", func(w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path != "/v5/announcements/index" || r.URL.Query().Get("type") != "latest_activities" {
				return false
			}
			io.WriteString(w, `{"retCode":0,"retMsg":"OK","result":{"total":1,"list":[{"title":"BAR Trading Competition: Share a $100K Prize Pool",
				"url":"https://announcements.bybit.com/en/article/bar-trading-competition-blt1/","type":{"key":"latest_activities"},
				"dateTimestamp":1795586400000,"startDataTimestamp":1795593600000,"endDataTimestamp":1796198400000}]},"time":1}`)
			return true
		}, "", func(t *testing.T, cfg string, _ *newsServer) {
			rows := csvRows(t, mustRW(t, "sql", "--config", cfg, "--format", "csv", "SELECT starts_at, ends_at FROM announcements WHERE exchange = 'bybit'"))
			if rows[1][0] != "2026-11-25T08:00:00.000Z" || rows[1][1] != "2026-12-02T08:00:00.000Z" {
				t.Errorf("the campaign window: %q", rows[1])
			}
		}},
		{"OKX filtered to an empty list", "okx", func(w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path != "/api/v5/support/announcements" {
				return false
			}
			io.WriteString(w, `{"code":"0","msg":"","data":[{"totalPage":"0","details":[]}]}`)
			return true
		}, "", func(t *testing.T, cfg string, _ *newsServer) {
			rows := csvRows(t, mustRW(t, "sql", "--config", cfg, "--format", "csv",
				"SELECT (SELECT COUNT(*) FROM announcements WHERE exchange = 'okx'), (SELECT status FROM runs WHERE exchange = 'okx' ORDER BY id DESC LIMIT 1)"))
			if rows[1][0] != "1" || rows[1][1] == "failed" || rows[1][1] == "incomplete" {
				t.Errorf("an empty list must remove nothing and be complete: %q", rows[1])
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fixClock(t, newsAt.Add(time.Hour))
			w := newsWorld()
			srv := startNews(t, w)
			cfg := writeConfig(t, t.TempDir(), srv.URL, "")
			one := []string{"collect", "--config", cfg, "--kind", "announcements", "--exchange", tt.exchange}
			if tt.name == "OKX filtered to an empty list" {
				mustRW(t, one...) // the first sweep stores the article
			}
			srv.set(tt.serve)
			out, err := rw(t, one...)
			last := csvRows(t, mustRW(t, "sql", "--config", cfg, "--format", "csv",
				"SELECT status, COALESCE(error_kind, '') FROM runs ORDER BY id DESC LIMIT 1"))[1]
			if tt.errorKind != "" {
				if err == nil || last[0] != "failed" || last[1] != tt.errorKind {
					t.Errorf("run %q, error %v; want failed %s\n%s", last, err, tt.errorKind, out)
				}
			} else if err != nil {
				t.Errorf("collect: %v\n%s", err, out)
			}
			if n := csvRows(t, mustRW(t, "sql", "--config", cfg, "--format", "csv", "SELECT COUNT(*) FROM changes")); n[1][0] != "0" {
				t.Errorf("%s change events from a first sweep or a failed one", n[1][0])
			}
			if tt.check != nil {
				tt.check(t, cfg, srv)
			}
		})
	}
}

// bodyMissingThenRetried checks the article was stored from its title,
// classified, marked body-missing, and fetched again by the next sweep
// once its page works.
func bodyMissingThenRetried(t *testing.T, cfg string, srv *newsServer) {
	t.Helper()
	rows := csvRows(t, mustRW(t, "sql", "--config", cfg, "--format", "csv",
		"SELECT exchange, category, body_missing FROM announcements WHERE body_missing = 1"))
	if len(rows) != 2 || rows[1][1] == "other" {
		t.Fatalf("want one article stored body-missing and classified from its title: %q", rows)
	}
	exchange := rows[1][0]
	srv.set(nil)
	mustRW(t, "collect", "--config", cfg, "--kind", "announcements", "--exchange", exchange)
	if n := srv.count("/en/article/") + srv.count("/help/"); n != 1 {
		t.Errorf("the next sweep fetched %d article pages, want the missing one again", n)
	}
	rows = csvRows(t, mustRW(t, "sql", "--config", cfg, "--format", "csv",
		"SELECT body_missing FROM announcements WHERE exchange = '"+exchange+"'"))
	if rows[1][0] != "0" {
		t.Errorf("after the retry the body is still missing")
	}
}

// TestUntrustedAnnouncementText: a title with markup reaches the digest
// escaped, and events quote it capped in length.
func TestUntrustedAnnouncementText(t *testing.T) {
	fixClock(t, newsAt.Add(time.Hour))
	w := newsWorld()
	srv := startNews(t, w)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, srv.URL, "")
	mustRW(t, "collect", "--config", cfg, "--kind", "announcements", "--exchange", "bybit")
	w.BybitNews = append(w.BybitNews, exchangetest.Article{ID: "evil-blt2", Feed: "latest_activities", PublishedAt: newsAt,
		Title: `<script>alert(1)</script> Trading Competition: Share $50K ` + strings.Repeat("very long ", 60),
		Body:  "Prize pool 50,000 USDT"})
	mustRW(t, "collect", "--config", cfg, "--kind", "announcements", "--exchange", "bybit")
	got := csvRows(t, mustRW(t, "sql", "--config", cfg, "--format", "csv", "SELECT new FROM changes WHERE type = 'promo.new'"))
	if len(got) != 2 || len([]rune(got[1][0])) > 120 {
		t.Fatalf("promo.new quotes the title capped at 120 characters: %q", got)
	}
	out := filepath.Join(dir, "d.html")
	mustRW(t, "report", "--config", cfg, "--date", "2026-11-25", "--format", "html", "--out", out)
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(page, []byte("<script>")) || !bytes.Contains(page, []byte("&lt;script&gt;")) {
		t.Error("the digest must show rival text escaped, never as markup")
	}
}

// TestReclassifyCommand: a rule change reaches the stored announcements
// without fetching anything.
func TestReclassifyCommand(t *testing.T) {
	fixClock(t, newsAt.Add(time.Hour))
	srv := startNews(t, newsWorld())
	dir := t.TempDir()
	cfg := writeConfig(t, dir, srv.URL, "")
	mustRW(t, "collect", "--config", cfg, "--kind", "announcements")
	rules := filepath.Join(dir, "rules.yaml")
	writeRules(t, rules, "rules:\n  - name: everything is an airdrop\n    category: airdrop\n    title: {any: ['.']}\n")
	srv.set(nil)
	out := mustRW(t, "classify", "--config", cfg, "--reclassify", "--rules", rules)
	if !strings.Contains(out, "3 stored announcements re-classified") {
		t.Errorf("reclassify: %s", out)
	}
	if n := srv.count("/"); n != 0 {
		t.Errorf("reclassify sent %d requests; it must fetch nothing", n)
	}
	rows := csvRows(t, mustRW(t, "sql", "--config", cfg, "--format", "csv", "SELECT DISTINCT category FROM announcements"))
	if len(rows) != 2 || rows[1][0] != "airdrop" {
		t.Errorf("categories after reclassify: %q", rows)
	}
}
