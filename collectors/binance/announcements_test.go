package binance

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// The article codes of the fixtures in testdata/announcements-*.json.
const (
	codeA = "1a2b3c4d5e6f708192a3b4c5d6e7f801" // a perpetual launch with a table, listed twice in catalog 48
	codeB = "2b3c4d5e6f708192a3b4c5d6e7f80112" // a delisting in catalogs 48 and 161, with publishDate only
	codeC = "3c4d5e6f708192a3b4c5d6e7f8011223" // a competition in catalog 161
)

// cmsServer serves the CMS fixtures and counts requests by path. A test
// replaces single answers with override, keyed "list 48" or "detail CODE".
type cmsServer struct {
	t        *testing.T
	mu       sync.Mutex
	override map[string]http.HandlerFunc
	requests map[string]int
}

func newCMSServer(t *testing.T) (*cmsServer, *httptest.Server) {
	s := &cmsServer{t: t, override: map[string]http.HandlerFunc{}, requests: map[string]int{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

func (s *cmsServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var key, file string
	switch r.URL.Path {
	case cmsListPath:
		if q.Get("type") != "1" || q.Get("pageNo") != "1" || q.Get("pageSize") != "20" {
			s.t.Errorf("list query %q, want type=1, pageNo=1, pageSize=20", r.URL.RawQuery)
		}
		key, file = "list "+q.Get("catalogId"), "announcements-list-"+q.Get("catalogId")+".json"
	case cmsDetailPath:
		code := q.Get("articleCode")
		key, file = "detail "+code, map[string]string{codeA: "a", codeB: "b", codeC: "c"}[code]
		file = "announcements-detail-" + file + ".json"
	default:
		s.t.Errorf("unexpected request %s", r.URL)
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	s.requests[r.URL.Path]++
	h := s.override[key]
	s.mu.Unlock()
	if h != nil {
		h(w, r)
		return
	}
	body, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func (s *cmsServer) set(key string, h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.override[key] = h
}

// counts returns and resets the list and detail request counts.
func (s *cmsServer) counts() (list, detail int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list, detail = s.requests[cmsListPath], s.requests[cmsDetailPath]
	s.requests = map[string]int{}
	return list, detail
}

// storedArticles is the store's side of KnownArticles: the articles kept
// with a body, by id, with their title.
type storedArticles map[string]string

func (k storedArticles) HasBody(exchange, id, title string) bool {
	t, ok := k[exchange+" "+id]
	return ok && t == title
}

// keep stores what a sweep returned, as the store will: body-missing
// articles are kept without a body, so they are asked for again.
func (k storedArticles) keep(anns []collectors.Announcement) {
	for _, a := range anns {
		if !a.BodyMissing {
			k[a.Exchange+" "+a.ID] = a.Title
		}
	}
}

func cmsCollector(srv *httptest.Server, maxBody int64) *Collector {
	client := collectors.NewHTTPClient(5*time.Second, collectors.TransportOptions{
		MaxBodyBytes: maxBody,
		Sleep:        func(context.Context, time.Duration) error { return nil },
	})
	return NewCollector(Config{}, client)
}

var twoCatalogs = AnnouncementsConfig{Catalogs: []int{48, 161}}

func sweep(t *testing.T, c *Collector, srv *httptest.Server, known KnownArticles) []collectors.Announcement {
	t.Helper()
	cfg := twoCatalogs
	cfg.WebURL = srv.URL
	anns, err := c.Announcements(t.Context(), cfg, known)
	if err != nil {
		t.Fatal(err)
	}
	for i := range anns {
		if anns[i].ObservedAt.IsZero() {
			t.Errorf("%s: no ObservedAt", anns[i].ID)
		}
		anns[i].ObservedAt = time.Time{}
	}
	return anns
}

const launchText = "Fellow Binancians,\n" +
	"Binance Futures will launch the USDⓈ-M FOOUSDT perpetual contract at 2026-03-05 08:00 (UTC).\n" +
	"Contract | Max Leverage | Funding Interval\n" +
	"FOOUSDT | 50x | Every 4 hours\n" +
	"Capped funding rate: +2.00% / -2.00%\n" +
	"Tick size: 0.0001\n" +
	"Learn more about perpetuals."

// TestAnnouncementsSweep reads two catalogs that repeat articles within a
// page and across catalogs: each article comes back once, from the first
// catalog, with its flattened body; a second sweep with nothing new costs
// one list request per catalog and no article request.
func TestAnnouncementsSweep(t *testing.T) {
	cms, srv := newCMSServer(t)
	c := cmsCollector(srv, 0)
	known := storedArticles{}

	got := sweep(t, c, srv, known)
	want := []collectors.Announcement{
		{Exchange: "binance", ID: codeA, Feed: "48", Body: launchText,
			Title:       "Binance Futures Will Launch USDⓈ-Margined FOOUSDT Perpetual Contract (2026-03-05)",
			URL:         "https://www.binance.com/en/support/announcement/" + codeA,
			PublishedAt: time.UnixMilli(1772690400000).UTC()},
		{Exchange: "binance", ID: codeB, Feed: "48", Body: "Binance will delist BAR on 2026-03-20.",
			Title:       "Binance Will Delist BAR on 2026-03-20",
			URL:         "https://www.binance.com/en/support/announcement/" + codeB,
			PublishedAt: time.UnixMilli(1772600000000).UTC()},
		{Exchange: "binance", ID: codeC, Feed: "161", Body: "Trade and share 1,200,000 USDT in rewards.",
			Title:       "BAZ Trading Competition: Share 1,200,000 USDT in Rewards",
			URL:         "https://www.binance.com/en/support/announcement/" + codeC,
			PublishedAt: time.UnixMilli(1772500000000).UTC()},
	}
	compareAnnouncements(t, got, want)
	if list, detail := cms.counts(); list != 2 || detail != 3 {
		t.Errorf("first sweep sent %d list and %d article requests, want 2 and 3", list, detail)
	}

	known.keep(got)
	if again := sweep(t, c, srv, known); len(again) != 0 {
		t.Errorf("a sweep with nothing new returned %d articles", len(again))
	}
	if list, detail := cms.counts(); list != 2 || detail != 0 {
		t.Errorf("a sweep with nothing new sent %d list and %d article requests, want 2 and 0", list, detail)
	}

	// A retitled article is fetched again.
	known["binance "+codeC] = "an older title"
	if again := sweep(t, c, srv, known); len(again) != 1 || again[0].ID != codeC {
		t.Errorf("after a title change got %+v, want article C alone", again)
	}
	if _, detail := cms.counts(); detail != 1 {
		t.Errorf("a title change sent %d article requests, want 1", detail)
	}
}

func compareAnnouncements(t *testing.T, got, want []collectors.Announcement) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d announcements, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("announcement %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

// TestAnnouncementsListFailures: an unusable list answer fails the pull
// with the kind an operator acts on, naming what was wrong.
func TestAnnouncementsListFailures(t *testing.T) {
	cases := []struct {
		name     string
		answer   http.HandlerFunc
		kind     collectors.ErrorKind
		mentions string
	}{
		{"HTML challenge page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusAccepted)
			w.Write([]byte("<html><body>Verifying you are human</body></html>"))
		}, collectors.ErrNotJSON, "HTML page"},
		{"HTML page sent as JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte("<!DOCTYPE html><html></html>"))
		}, collectors.ErrNotJSON, "HTML page"},
		{"CMS error code", jsonAnswer(`{"code":"100001","message":"system busy","data":null,"success":false}`),
			collectors.ErrAPI, `code "100001": system busy`},
		{"title as a number", jsonAnswer(`{"code":"000000","data":{"catalogs":[{"catalogId":48,"articles":[{"code":"` + codeA + `","title":42,"releaseDate":1}]}]}}`),
			collectors.ErrMalformed, "title"},
		{"release date as text", jsonAnswer(`{"code":"000000","data":{"catalogs":[{"catalogId":48,"articles":[{"code":"` + codeA + `","title":"x","releaseDate":"soon"}]}]}}`),
			collectors.ErrMalformed, "releaseDate"},
		{"article code that is no id", jsonAnswer(`{"code":"000000","data":{"catalogs":[{"catalogId":48,"articles":[{"code":"../../x","title":"x"}]}]}}`),
			collectors.ErrMalformed, "article code"},
		{"no data", jsonAnswer(`{"code":"000000","data":null}`), collectors.ErrMalformed, "no data"},
		{"cut off", jsonAnswer(`{"code":"000000","data":{"catalogs":[`), collectors.ErrTruncated, "ended early"},
		{"rate limited", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		}, collectors.ErrRateLimited, "too many requests"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cms, srv := newCMSServer(t)
			cms.set("list 161", tc.answer)
			cfg := twoCatalogs
			cfg.WebURL = srv.URL
			anns, err := cmsCollector(srv, 0).Announcements(t.Context(), cfg, storedArticles{})
			if err == nil {
				t.Fatalf("no error; got %d announcements", len(anns))
			}
			if kind := collectors.KindOf(err); kind != tc.kind {
				t.Errorf("kind %s, want %s (%v)", kind, tc.kind, err)
			}
			if !strings.Contains(err.Error(), tc.mentions) || !strings.Contains(err.Error(), "catalog 161") {
				t.Errorf("error %q should mention %q and the catalog", err, tc.mentions)
			}
			if anns != nil {
				t.Errorf("a failed pull returned %d announcements", len(anns))
			}
		})
	}
}

func jsonAnswer(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(body))
	}
}

// TestAnnouncementsBodyMissing: an article whose detail answer is unusable
// is still returned with its title, marked BodyMissing, and asked for
// again next sweep; the others are unaffected.
func TestAnnouncementsBodyMissing(t *testing.T) {
	detail := func(code, body string) string {
		b, _ := json.Marshal(map[string]any{"code": "000000", "data": map[string]any{"code": code, "body": body}})
		return string(b)
	}
	const capBytes = 1 << 20
	cases := []struct {
		name   string
		answer http.HandlerFunc
		kind   collectors.ErrorKind // why the body is missing
	}{
		{"server error", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) }, collectors.ErrServer},
		{"cut off mid-body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "5000")
			w.Write([]byte(`{"code":"000000","data":{"code":"` + codeB + `","body":"{\"node\"`))
		}, collectors.ErrTruncated},
		{"50 MB article", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			chunk := []byte(strings.Repeat("x", 1<<20))
			w.Write([]byte(`{"code":"000000","data":{"code":"` + codeB + `","body":"`))
			for range 50 {
				if _, err := w.Write(chunk); err != nil {
					return // the client hung up at the cap
				}
			}
		}, collectors.ErrTooLarge},
		{"answer for another article", jsonAnswer(detail(codeA, `{"node":"root","child":[{"node":"text","text":"x"}]}`)), collectors.ErrMalformed},
		{"body that is not a tree", jsonAnswer(detail(codeB, `<p>plain html</p>`)), collectors.ErrMalformed},
		{"empty body", jsonAnswer(detail(codeB, `{"node":"root","child":[]}`)), collectors.ErrEmpty},
		{"CMS error code", jsonAnswer(`{"code":"400","message":"illegal parameter"}`), collectors.ErrAPI},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cms, srv := newCMSServer(t)
			cms.set("detail "+codeB, tc.answer)
			c := cmsCollector(srv, capBytes)
			known := storedArticles{}
			got := sweep(t, c, srv, known)
			if len(got) != 3 {
				t.Fatalf("got %d announcements, want 3", len(got))
			}
			for _, a := range got {
				missing := a.ID == codeB
				if a.BodyMissing != missing || (a.Body == "") != missing || a.Title == "" {
					t.Errorf("%s: BodyMissing %v, body %d bytes, title %q", a.ID, a.BodyMissing, len(a.Body), a.Title)
				}
			}
			known.keep(got)
			cms.counts()
			again := sweep(t, c, srv, known)
			if len(again) != 1 || again[0].ID != codeB || !again[0].BodyMissing {
				t.Errorf("next sweep got %+v, want article B again, still body-missing", again)
			}
			if _, n := cms.counts(); n != 1 {
				t.Errorf("next sweep sent %d article requests, want 1", n)
			}
			_, err := c.cmsBody(t.Context(), AnnouncementsConfig{WebURL: srv.URL}, codeB)
			if kind := collectors.KindOf(err); kind != tc.kind {
				t.Errorf("the body failed as %s, want %s (%v)", kind, tc.kind, err)
			}
		})
	}
}

// TestFlatten checks the rich-text rules: inline runs joined, a line per
// block, table cells split by " | " even when a cell holds paragraphs.
func TestFlatten(t *testing.T) {
	cases := []struct {
		name, tree, want string
	}{
		{"inline runs", `{"node":"root","child":[{"node":"element","tag":"p","child":[
			{"node":"text","text":"Launch at "},{"node":"element","tag":"strong","child":[{"node":"element","tag":"span","child":[{"node":"text","text":"08:00"}]}]},
			{"node":"element","tag":"a","child":[{"node":"text","text":" UTC"}]}]}]}`, "Launch at 08:00 UTC"},
		{"blocks and breaks", `{"node":"root","child":[{"node":"element","tag":"h2","child":[{"node":"text","text":"Title"}]},
			{"node":"text","text":"one"},{"node":"element","tag":"br"},{"node":"text","text":"two"},
			{"node":"element","tag":"ol","child":[{"node":"element","tag":"li","child":[{"node":"text","text":"a"}]},{"node":"element","tag":"li","child":[{"node":"text","text":"b"}]}]}]}`,
			"Title\none\ntwo\na\nb"},
		{"table cells never glue", `{"node":"root","child":[{"node":"element","tag":"table","child":[
			{"node":"element","tag":"tr","child":[{"node":"element","tag":"td","child":[{"node":"text","text":"Launch Time"}]},{"node":"element","tag":"td","child":[{"node":"element","tag":"p","child":[{"node":"text","text":"2026-01-08"}]},{"node":"element","tag":"p","child":[{"node":"text","text":"10:00"}]}]}]},
			{"node":"element","tag":"tr","child":[{"node":"element","tag":"th","child":[{"node":"text","text":"Maximum Leverage"}]},{"node":"element","tag":"td"},{"node":"element","tag":"td","child":[{"node":"text","text":"50x"}]}]}]}]}`,
			"Launch Time | 2026-01-08 10:00\nMaximum Leverage | | 50x"},
		{"white space", `{"node":"root","child":[{"node":"element","tag":"p","child":[{"node":"text","text":"  a\u00a0\u00a0b \t c  "}]},{"node":"element","tag":"p"}]}`, "a b c"},
		{"unknown nodes", `{"node":"root","child":[{"node":"element","tag":"img","attr":{"src":"x"}},{"node":"element","tag":"section","child":[{"node":"text","text":"kept"}]},null]}`, "kept"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var root richNode
			if err := json.Unmarshal([]byte(tc.tree), &root); err != nil {
				t.Fatal(err)
			}
			if got := flatten(&root); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestUntrustedTextIsCapped: titles keep 500 runes and bodies 200,000
// bytes, cut between runes, invalid UTF-8 replaced.
func TestUntrustedTextIsCapped(t *testing.T) {
	title := collectors.CapRunes(strings.Repeat("é", 600), collectors.MaxTitleRunes)
	if n := utf8.RuneCountInString(title); n != 500 {
		t.Errorf("title keeps %d runes, want 500", n)
	}
	body := collectors.CapBytes("a"+strings.Repeat("€", 100_000), collectors.MaxBodyBytes)
	if len(body) > collectors.MaxBodyBytes || len(body) < collectors.MaxBodyBytes-3 || !utf8.ValidString(body) {
		t.Errorf("body is %d bytes (valid UTF-8: %v), want at most %d", len(body), utf8.ValidString(body), collectors.MaxBodyBytes)
	}
	if got := collectors.CapRunes("ok\xff", 10); got != "ok\uFFFD" {
		t.Errorf("invalid UTF-8 became %q", got)
	}
}

// TestRealCMSList parses a real capture of catalog 161 (kept outside the
// repository in ../shared/realdata).
func TestRealCMSList(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "realdata", "binance", "cms-article-list-delisting-catalog161.json"))
	if err != nil {
		t.Skip("../shared/realdata not found: " + err.Error())
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != cmsListPath {
			w.WriteHeader(http.StatusNotFound) // no bodies: every article is body-missing
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	defer srv.Close()
	anns, err := cmsCollector(srv, 0).Announcements(t.Context(), AnnouncementsConfig{WebURL: srv.URL, Catalogs: []int{161}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(anns) != 5 {
		t.Fatalf("got %d articles, want 5", len(anns))
	}
	first := anns[0]
	if first.ID != "84d4dc37762944828f3e91c4eabb6bb6" || first.Feed != "161" || !strings.HasPrefix(first.Title, "Notice of Removal") ||
		first.PublishedAt.Year() != 2024 || !first.BodyMissing {
		t.Errorf("first article %+v", first)
	}
}

// BenchmarkArticleBody decodes and flattens the launch article's body, the
// per-article CPU cost of a sweep.
func BenchmarkArticleBody(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("testdata", "announcements-detail-a.json"))
	if err != nil {
		b.Fatal(err)
	}
	var env struct {
		Data cmsDetailData `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var root richNode
		if err := json.Unmarshal([]byte(env.Data.Body), &root); err != nil {
			b.Fatal(err)
		}
		if flatten(&root) == "" {
			b.Fatal("no text")
		}
	}
}
