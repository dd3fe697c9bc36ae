package okx

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

// The articles of testdata/announcements-*.json.
const (
	fooURL = "https://www.okx.com/help/okx-to-list-perpetual-futures-for-foo-crypto" // twice in new listings
	barURL = "https://www.okx.com/help/okx-to-list-bar-for-spot-trading"             // again in delistings under en-sg
	bazURL = "https://www.okx.com/en-sg/help/okx-to-delist-baz-margin-and-perpetual" // businessPTime only
)

// annServer serves testdata/announcements-<annType>.json and counts list
// requests; override replaces the answer for one annType.
type annServer struct {
	t        *testing.T
	mu       sync.Mutex
	override map[string]string
	lists    int
}

func newAnnServer(t *testing.T) (*annServer, *httptest.Server) {
	s := &annServer{t: t, override: map[string]string{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

func (s *annServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	typ := q.Get("annType")
	if r.URL.Path != pathAnnouncements || q.Get("page") != "1" {
		s.t.Errorf("unexpected request %s", r.URL)
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	s.lists++
	body, ok := s.override[typ]
	s.mu.Unlock()
	if !ok {
		b, err := os.ReadFile(filepath.Join("testdata", "announcements-"+strings.TrimPrefix(typ, "announcements-")+".json"))
		if err != nil {
			s.t.Errorf("no fixture for annType %q", typ)
		}
		body = string(b)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(body))
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
		fooURL: string(page),
		barURL: "<html><body><p>BAR spot trading opens.</p></body></html>",
		bazURL: "<html><body><main><p>BAZ will be delisted.</p></main></body></html>",
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

var twoTypes = AnnouncementsConfig{AnnTypes: []string{"announcements-new-listings", "announcements-delistings"}}

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

// TestAnnouncementsSweep reads two annTypes that repeat articles within a
// list and across types (once under another locale): each article comes
// back once, from its first type, with its page text; a second sweep with
// nothing new costs one list request per type and fetches no page.
func TestAnnouncementsSweep(t *testing.T) {
	api, srv := newAnnServer(t)
	c := annCollector(srv)
	site := newFakePages(t)
	known := storedArticles{}

	got := annSweep(t, c, known, site)
	want := []collectors.Announcement{
		{Exchange: "okx", ID: "/help/okx-to-list-perpetual-futures-for-foo-crypto", URL: fooURL, Feed: "announcements-new-listings",
			Title: "OKX to list perpetual futures for FOO crypto", PublishedAt: ms(1772690400000),
			Body: "OKX to list perpetual futures for FOO crypto\n" +
				"OKX will launch the FOOUSDT perpetual futures at 8:00 am UTC on Mar 5, 2026.\n" +
				"Underlying | FOO/USDT index\n" +
				"Max leverage | 50x\n" +
				"Funding fee | Settled every 4 hours; cap ±1.5%\n" +
				"Risk warning: trading is risky."},
		{Exchange: "okx", ID: "/help/okx-to-list-bar-for-spot-trading", URL: barURL, Feed: "announcements-new-listings",
			Title: "OKX to list BAR (BAR) for spot trading", PublishedAt: ms(1772600000000), Body: "BAR spot trading opens."},
		{Exchange: "okx", ID: "/help/okx-to-delist-baz-margin-and-perpetual", URL: bazURL, Feed: "announcements-delistings",
			Title: "OKX to delist BAZ margin trading pair and perpetual future", PublishedAt: ms(1772500000000), Body: "BAZ will be delisted."},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d announcements, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("announcement %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if lists, fetches := api.listRequests(), site.count(); lists != 2 || fetches != 3 {
		t.Errorf("first sweep sent %d list requests and fetched %d pages, want 2 and 3", lists, fetches)
	}

	known.keep(got)
	if again := annSweep(t, c, known, site); len(again) != 0 {
		t.Errorf("a sweep with nothing new returned %d articles", len(again))
	}
	if lists, fetches := api.listRequests(), site.count(); lists != 2 || fetches != 0 {
		t.Errorf("a sweep with nothing new sent %d list requests and fetched %d pages, want 2 and 0", lists, fetches)
	}
}

// TestAnnouncementsFilteredEmpty: OKX filters the public list by the
// caller's IP; a list filtered to nothing, in either form OKX sends, is an
// empty feed for this sweep and never an error or a removal.
func TestAnnouncementsFilteredEmpty(t *testing.T) {
	for name, body := range map[string]string{
		"no details": `{"code":"0","msg":"","data":[{"totalPage":"0","details":[]}]}`,
		"no data":    `{"code":"0","msg":"","data":[]}`,
	} {
		t.Run(name, func(t *testing.T) {
			api, srv := newAnnServer(t)
			api.override["announcements-delistings"] = body
			api.override["announcements-new-listings"] = body
			anns, err := annCollector(srv).Announcements(t.Context(), twoTypes, storedArticles{}, newFakePages(t))
			if err != nil || len(anns) != 0 {
				t.Errorf("got %d announcements and %v, want none and no error", len(anns), err)
			}
			if n := api.listRequests(); n != 2 {
				t.Errorf("sent %d list requests, want 2", n)
			}
		})
	}
}

// TestAnnouncementsListFailures: an unusable list fails the pull with the
// kind an operator acts on, naming the field and the type.
func TestAnnouncementsListFailures(t *testing.T) {
	item := func(fields string) string {
		return `{"code":"0","msg":"","data":[{"totalPage":"1","details":[{` + fields + `}]}]}`
	}
	cases := []struct {
		name     string
		body     string
		kind     collectors.ErrorKind
		mentions string
	}{
		{"code", `{"code":"50011","msg":"Too Many Requests","data":[]}`, collectors.ErrRateLimited, "code 50011"},
		{"other code", `{"code":"51000","msg":"Parameter annType error","data":[]}`, collectors.ErrAPI, "Parameter annType error"},
		{"HTML page", `<html><body>Just a moment...</body></html>`, collectors.ErrNotJSON, "HTML page"},
		{"title as a number", item(`"title":7,"url":"` + fooURL + `","pTime":"1"`), collectors.ErrMalformed, "title"},
		{"pTime not a time", item(`"title":"x","url":"` + fooURL + `","pTime":"yesterday"`), collectors.ErrMalformed, "pTime"},
		{"relative url", item(`"title":"x","url":"/help/x","pTime":"1"`), collectors.ErrMalformed, "url is not a web address"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api, srv := newAnnServer(t)
			api.override["announcements-delistings"] = tc.body
			anns, err := annCollector(srv).Announcements(t.Context(), twoTypes, nil, newFakePages(t))
			if err == nil {
				t.Fatalf("no error; got %d announcements", len(anns))
			}
			if kind := collectors.KindOf(err); kind != tc.kind {
				t.Errorf("kind %s, want %s (%v)", kind, tc.kind, err)
			}
			if !strings.Contains(err.Error(), tc.mentions) || !strings.Contains(err.Error(), "announcements-delistings") {
				t.Errorf("error %q should mention %q and the type", err, tc.mentions)
			}
		})
	}
}

// TestAnnouncementsBodyMissing: an article whose page fails, is cut off or
// too large keeps its title, is marked BodyMissing and is fetched again
// next sweep; the other articles are unaffected.
func TestAnnouncementsBodyMissing(t *testing.T) {
	for name, err := range map[string]error{
		"page fails":     &collectors.Error{Kind: collectors.ErrGeoBlocked, Status: http.StatusForbidden},
		"page cut off":   &collectors.Error{Kind: collectors.ErrTruncated, Msg: "the response ended early"},
		"page too large": &collectors.Error{Kind: collectors.ErrTooLarge, Msg: "the response is larger than 4194304 bytes"},
		"no answer":      context.DeadlineExceeded,
	} {
		t.Run(name, func(t *testing.T) {
			_, srv := newAnnServer(t)
			c := annCollector(srv)
			site := newFakePages(t)
			site.fail[barURL] = err
			known := storedArticles{}
			got := annSweep(t, c, known, site)
			if len(got) != 3 {
				t.Fatalf("got %d announcements, want 3", len(got))
			}
			for _, a := range got {
				missing := a.URL == barURL
				if a.BodyMissing != missing || (a.Body == "") != missing || a.Title == "" {
					t.Errorf("%s: BodyMissing %v, body %d bytes, title %q", a.ID, a.BodyMissing, len(a.Body), a.Title)
				}
			}
			known.keep(got)
			site.count()
			again := annSweep(t, c, known, site)
			if len(again) != 1 || again[0].URL != barURL {
				t.Errorf("next sweep got %+v, want the BAR listing again", again)
			}
			if n := site.count(); n != 1 {
				t.Errorf("next sweep fetched %d pages, want 1", n)
			}
		})
	}
}

// TestArticleText: the text comes from <article>, else <main>, else the
// whole body, and a long page is cut to the body cap between runes.
func TestArticleText(t *testing.T) {
	cases := []struct {
		name, page, want string
	}{
		{"article wins over main", `<main><nav>menu</nav><article><p>a</p><p>b</p></article></main>`, "a\nb"},
		{"empty article placeholder", `<body><article></article><main><p>m</p></main></body>`, "m"},
		{"main wins over body", `<body><header>OKX</header><main><p>c</p></main></body>`, "c"},
		{"body when there is neither", `<body><div>x<br>y</div><script>z()</script></body>`, "x\ny"},
		{"markup in text stays text", `<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</p>`, "<script>alert(1)</script> & more"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := pages.ArticleText([]byte(tc.page))
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	long := "<p>" + strings.Repeat("€", collectors.MaxBodyBytes) + "</p>"
	body, err := pages.ArticleBody(t.Context(), &fakePages{pages: map[string]string{"u": long}}, "u")
	if err != nil || len(body) > collectors.MaxBodyBytes || len(body) < collectors.MaxBodyBytes-3 || !strings.HasSuffix(body, "€") {
		t.Errorf("a long page became %d bytes (%v), want at most %d", len(body), err, collectors.MaxBodyBytes)
	}
}

// BenchmarkArticleText extracts the text of the fixture article page, the
// per-article CPU cost of a sweep.
func BenchmarkArticleText(b *testing.B) {
	page, err := os.ReadFile(filepath.Join("testdata", "announcements-page.html"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pages.ArticleText(page); err != nil {
			b.Fatal(err)
		}
	}
}
