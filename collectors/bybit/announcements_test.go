package bybit

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/pages"
)

const articleBase = "https://announcements.bybit.com/en-US/article/"

// The articles of testdata/announcements-*.json.
const (
	listingURL = articleBase + "new-listing-foousdt-perpetual-contract-blt0a1b2c3d4e5f6071/" // twice in new_crypto
	spotURL    = articleBase + "new-listing-bar-deposit-and-trade-blt1b2c3d4e5f607182/"      // string date; again in latest_activities
	compURL    = articleBase + "baz-trading-competition-blt2c3d4e5f60718293/"                // startDateTimestamp
	holidayURL = articleBase + "futures-fee-holiday-qux-blt3d4e5f6071829304/"                // the docs' startDataTimestamp
)

// annServer serves the announcement fixtures by type and counts list
// requests; override replaces the answer for one type.
type annServer struct {
	t        *testing.T
	mu       sync.Mutex
	override map[string]http.HandlerFunc
	lists    int
}

func newAnnServer(t *testing.T) (*annServer, *httptest.Server) {
	s := &annServer{t: t, override: map[string]http.HandlerFunc{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

func (s *annServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.URL.Path != announcementsPath || q.Get("locale") != "en-US" || q.Get("page") != "1" || q.Get("limit") != "20" {
		s.t.Errorf("unexpected request %s", r.URL)
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	s.lists++
	h := s.override[q.Get("type")]
	s.mu.Unlock()
	if h != nil {
		h(w, r)
		return
	}
	body, err := os.ReadFile(filepath.Join("testdata", "announcements-"+q.Get("type")+".json"))
	if err != nil {
		s.t.Errorf("no fixture for type %q", q.Get("type"))
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func (s *annServer) listRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.lists
	s.lists = 0
	return n
}

// fakePages serves article pages from memory, failing those in fail, and
// counts fetches.
type fakePages struct {
	mu      sync.Mutex
	pages   map[string]string
	fail    map[string]error
	fetches int
}

func (f *fakePages) Fetch(ctx context.Context, url string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fetches++
	if err := f.fail[url]; err != nil {
		return nil, err
	}
	page, ok := f.pages[url]
	if !ok {
		return nil, &collectors.Error{Kind: collectors.ErrRejected, Status: http.StatusNotFound}
	}
	return []byte(page), nil
}

func (f *fakePages) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.fetches
	f.fetches = 0
	return n
}

func newFakePages(t *testing.T) *fakePages {
	page, err := os.ReadFile(filepath.Join("testdata", "announcements-page.html"))
	if err != nil {
		t.Fatal(err)
	}
	return &fakePages{fail: map[string]error{}, pages: map[string]string{
		listingURL: string(page),
		spotURL:    "<html><body><p>BAR joins Spot.</p></body></html>",
		compURL:    "<html><body><main><p>Trade BAZ.</p></main></body></html>",
		holidayURL: "<article>Zero maker fees on QUX.</article>",
	}}
}

// storedArticles is the store's side of KnownArticles.
type storedArticles map[string]string

func (k storedArticles) HasBody(exchange, id, title string) bool {
	t, ok := k[exchange+" "+id]
	return ok && t == title
}

// keep stores a sweep's articles as the store will: body-missing ones
// without a body, so they are asked for again.
func (k storedArticles) keep(anns []collectors.Announcement) {
	for _, a := range anns {
		if !a.BodyMissing {
			k[a.Exchange+" "+a.ID] = a.Title
		}
	}
}

func annCollector(srv *httptest.Server) *Collector {
	client := collectors.NewHTTPClient(5*time.Second, collectors.TransportOptions{
		Sleep: func(context.Context, time.Duration) error { return nil },
	})
	return NewCollector(Config{BaseURL: srv.URL}, client)
}

var twoTypes = AnnouncementsConfig{Types: []string{"new_crypto", "latest_activities"}}

func annSweep(t *testing.T, c *Collector, known KnownArticles, fetcher ArticleFetcher) []collectors.Announcement {
	t.Helper()
	anns, err := c.Announcements(t.Context(), twoTypes, known, fetcher)
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

func ms(n int64) time.Time { return time.UnixMilli(n).UTC() }

// TestAnnouncementsSweep reads two types that repeat articles within a
// list and across types, with both spellings of the event window: each
// article comes back once, from its first type, with its page text; a
// second sweep with nothing new costs one list request per type and
// fetches no page.
func TestAnnouncementsSweep(t *testing.T) {
	api, srv := newAnnServer(t)
	c := annCollector(srv)
	site := newFakePages(t)
	known := storedArticles{}

	got := annSweep(t, c, known, site)
	want := []collectors.Announcement{
		{Exchange: "bybit", ID: "/article/new-listing-foousdt-perpetual-contract-blt0a1b2c3d4e5f6071", URL: listingURL, Feed: "new_crypto",
			Title: "New Listing: FOOUSDT Perpetual Contract, with up to 50x leverage", PublishedAt: ms(1772690400000),
			Body: "New Listing: FOOUSDT Perpetual Contract, with up to 50x leverage\n" +
				"Bybit will list the FOOUSDT perpetual contract on Mar 5, 2026, 8:00AM UTC.\n" +
				"Contract | Max Leverage | Funding Interval\n" +
				"FOOUSDT | 50x | Every 4 hours\n" +
				"Funding rate cap: ±2%\n" +
				"Tick size: 0.0001"},
		{Exchange: "bybit", ID: "/article/new-listing-bar-deposit-and-trade-blt1b2c3d4e5f607182", URL: spotURL, Feed: "new_crypto",
			Title: "New Listing: Bar (BAR) — Deposit and Trade to Share 50,000 USDT", PublishedAt: ms(1772600000000), Body: "BAR joins Spot."},
		{Exchange: "bybit", ID: "/article/baz-trading-competition-blt2c3d4e5f60718293", URL: compURL, Feed: "latest_activities",
			Title: "BAZ Trading Competition: Share a 1,200,000 USDT Prize Pool!", PublishedAt: ms(1772500000000), Body: "Trade BAZ.",
			EventStart: ms(1772524800000), EventEnd: ms(1773734400000)},
		{Exchange: "bybit", ID: "/article/futures-fee-holiday-qux-blt3d4e5f6071829304", URL: holidayURL, Feed: "latest_activities",
			Title: "Futures Fee Holiday: Zero Maker Fees on QUX Perpetuals", PublishedAt: ms(1772400000000), Body: "Zero maker fees on QUX.",
			EventStart: ms(1772409600000), EventEnd: ms(1772928000000)},
	}
	compareAnnouncements(t, got, want)
	if lists, fetches := api.listRequests(), site.count(); lists != 2 || fetches != 4 {
		t.Errorf("first sweep sent %d list requests and fetched %d pages, want 2 and 4", lists, fetches)
	}

	known.keep(got)
	if again := annSweep(t, c, known, site); len(again) != 0 {
		t.Errorf("a sweep with nothing new returned %d articles", len(again))
	}
	if lists, fetches := api.listRequests(), site.count(); lists != 2 || fetches != 0 {
		t.Errorf("a sweep with nothing new sent %d list requests and fetched %d pages, want 2 and 0", lists, fetches)
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

// TestAnnouncementsListFailures: an unusable list fails the pull with the
// kind an operator acts on, naming the field and the type.
func TestAnnouncementsListFailures(t *testing.T) {
	item := func(fields string) string {
		return `{"retCode":0,"retMsg":"OK","result":{"total":1,"list":[{` + fields + `}]},"time":1772700000000}`
	}
	cases := []struct {
		name     string
		body     string
		kind     collectors.ErrorKind
		mentions string
	}{
		{"retCode", `{"retCode":10001,"retMsg":"params error: locale","result":{},"time":1}`, collectors.ErrAPI, "retCode 10001: params error"},
		{"HTML page", `<html><body>Access denied</body></html>`, collectors.ErrNotJSON, "HTML page"},
		{"title as a number", item(`"title":7,"url":"` + compURL + `"`), collectors.ErrMalformed, "title"},
		{"date as text", item(`"title":"x","url":"` + compURL + `","dateTimestamp":"tomorrow"`), collectors.ErrMalformed, "dateTimestamp"},
		{"window as a list", item(`"title":"x","url":"` + compURL + `","type":{"key":"latest_activities"},"startDataTimestamp":[1]`), collectors.ErrMalformed, "startDataTimestamp"},
		{"script url", item(`"title":"x","url":"javascript:alert(1)"`), collectors.ErrMalformed, "url is not a web address"},
		{"url without a path", item(`"title":"x","url":"https://announcements.bybit.com/"`), collectors.ErrMalformed, "no article path"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api, srv := newAnnServer(t)
			api.override["latest_activities"] = func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(tc.body))
			}
			anns, err := annCollector(srv).Announcements(t.Context(), twoTypes, nil, newFakePages(t))
			if err == nil {
				t.Fatalf("no error; got %d announcements", len(anns))
			}
			if kind := collectors.KindOf(err); kind != tc.kind {
				t.Errorf("kind %s, want %s (%v)", kind, tc.kind, err)
			}
			if !strings.Contains(err.Error(), tc.mentions) || !strings.Contains(err.Error(), "latest_activities") {
				t.Errorf("error %q should mention %q and the type", err, tc.mentions)
			}
		})
	}
}

// TestAnnouncementsEmptyList: a type with no articles is an empty feed,
// not an error: announcements only ever add up.
func TestAnnouncementsEmptyList(t *testing.T) {
	api, srv := newAnnServer(t)
	api.override["latest_activities"] = func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"retCode":0,"retMsg":"OK","result":{"total":0,"list":[]},"time":1772700000000}`))
	}
	anns, err := annCollector(srv).Announcements(t.Context(), twoTypes, nil, newFakePages(t))
	if err != nil || len(anns) != 2 {
		t.Errorf("got %d announcements and %v, want the 2 new_crypto ones", len(anns), err)
	}
}

// TestAnnouncementsBodyMissing: an article whose page fails, is cut off,
// too large or empty keeps its title, is marked BodyMissing and is fetched
// again next sweep; the other articles are unaffected.
func TestAnnouncementsBodyMissing(t *testing.T) {
	cases := []struct {
		name string
		err  error
		page string
	}{
		{"page fails", &collectors.Error{Kind: collectors.ErrServer, Status: http.StatusBadGateway}, ""},
		{"page cut off", &collectors.Error{Kind: collectors.ErrTruncated, Msg: "the response ended early"}, ""},
		{"page too large", &collectors.Error{Kind: collectors.ErrTooLarge, Msg: "the response is larger than 4194304 bytes"}, ""},
		{"page without text", nil, "<html><body><script>render()</script></body></html>"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := newAnnServer(t)
			c := annCollector(srv)
			site := newFakePages(t)
			site.fail[compURL] = tc.err
			site.pages[compURL] = tc.page
			known := storedArticles{}
			got := annSweep(t, c, known, site)
			if len(got) != 4 {
				t.Fatalf("got %d announcements, want 4", len(got))
			}
			for _, a := range got {
				missing := a.URL == compURL
				if a.BodyMissing != missing || (a.Body == "") != missing || a.Title == "" {
					t.Errorf("%s: BodyMissing %v, body %d bytes, title %q", a.ID, a.BodyMissing, len(a.Body), a.Title)
				}
			}
			known.keep(got)
			site.count()
			again := annSweep(t, c, known, site)
			if len(again) != 1 || again[0].URL != compURL {
				t.Errorf("next sweep got %+v, want the competition again", again)
			}
			if n := site.count(); n != 1 {
				t.Errorf("next sweep fetched %d pages, want 1", n)
			}
		})
	}
}

// TestFiftyMegabyteArticleRefused serves a 50 MB article page through the
// real page fetcher: its body cap refuses it as too_large and the article
// is returned body-missing.
func TestFiftyMegabyteArticleRefused(t *testing.T) {
	var pageURL string
	mux := http.NewServeMux()
	mux.HandleFunc("/en-US/article/huge-blt00/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		chunk := []byte("<p>" + strings.Repeat("x", 1<<20) + "</p>")
		for range 50 {
			if _, err := w.Write(chunk); err != nil {
				return // the client hung up at the cap
			}
		}
	})
	mux.HandleFunc(announcementsPath, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"retCode":0,"retMsg":"OK","result":{"list":[{"title":"Huge","url":"` + pageURL + `","dateTimestamp":1}]},"time":1}`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	pageURL = srv.URL + "/en-US/article/huge-blt00/"
	client := collectors.NewHTTPClient(5*time.Second, collectors.TransportOptions{})
	fetcher := pages.New(client, pages.Options{MaxBodyBytes: 4 << 20})

	if _, err := fetcher.Fetch(t.Context(), pageURL); collectors.KindOf(err) != collectors.ErrTooLarge {
		t.Fatalf("fetching the page: %v, want too_large", err)
	}
	c := NewCollector(Config{BaseURL: srv.URL}, client)
	anns, err := c.Announcements(t.Context(), AnnouncementsConfig{Types: []string{"new_crypto"}}, nil, fetcher)
	if err != nil {
		t.Fatal(err)
	}
	if len(anns) != 1 || !anns[0].BodyMissing || anns[0].Title != "Huge" || anns[0].ID != "/article/huge-blt00" {
		t.Errorf("got %+v, want the article body-missing", anns)
	}
}

// TestMillisField reads both JSON types Bybit uses for times.
func TestMillisField(t *testing.T) {
	cases := []struct {
		raw  string
		want time.Time
		ok   bool
	}{
		{`1772690400000`, ms(1772690400000), true},
		{`"1772690400000"`, ms(1772690400000), true},
		{``, time.Time{}, true},
		{`null`, time.Time{}, true},
		{`""`, time.Time{}, true},
		{`0`, time.Time{}, true},
		{`"soon"`, time.Time{}, false},
		{`1.5e12`, time.Time{}, false},
		{`true`, time.Time{}, false},
	}
	for _, tc := range cases {
		got, err := collectors.MillisField("dateTimestamp", []byte(tc.raw))
		if (err == nil) != tc.ok || !got.Equal(tc.want) {
			t.Errorf("%s: got %v, %v; want %v, ok %v", tc.raw, got, err, tc.want, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "dateTimestamp") {
			t.Errorf("%s: error %q does not name the field", tc.raw, err)
		}
	}
}

// TestArticleID keeps the path without its locale.
func TestArticleID(t *testing.T) {
	cases := map[string]string{
		articleBase + "a-blt1/":                                   "/article/a-blt1",
		"https://announcements.bybit.com/zh-TW/article/a-blt1":    "/article/a-blt1",
		"https://announcements.bybit.com/article/a-blt1/?x=1#top": "/article/a-blt1",
		"https://www.bybit.com/en/help-center/article/Fees":       "/help-center/article/Fees",
	}
	for raw, want := range cases {
		if got, err := collectors.ArticleID(raw); err != nil || got != want {
			t.Errorf("%s: got %q, %v; want %q", raw, got, err, want)
		}
	}
}

// TestRealAnnouncementIndex parses Bybit's own example answer (kept
// outside the repository in ../shared/realdata).
func TestRealAnnouncementIndex(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "realdata", "bybit", "v5-announcements-index.json"))
	if err != nil {
		t.Skip("../shared/realdata not found: " + err.Error())
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	defer srv.Close()
	site := &fakePages{fail: map[string]error{}, pages: map[string]string{}}
	anns, err := annCollector(srv).Announcements(t.Context(), AnnouncementsConfig{Types: []string{"new_crypto"}}, nil, site)
	if err != nil {
		t.Fatal(err)
	}
	if len(anns) != 1 {
		t.Fatalf("got %d articles, want 1", len(anns))
	}
	a := anns[0]
	if !strings.HasPrefix(a.ID, "/article/new-listing-arbitrum-arb") || strings.HasSuffix(a.ID, "/") || a.PublishedAt.Year() != 2023 ||
		!a.EventStart.IsZero() || !a.BodyMissing || !strings.Contains(a.Title, "ARB") {
		t.Errorf("got %+v", a)
	}
}
