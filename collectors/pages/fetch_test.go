package pages

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gocolly/colly/v2"

	"github.com/rivalwatch/rivalwatch/collectors"
)

const page = "<html><body><h1>Trading Fee Structure</h1><table><tr><td>VIP0</td><td>0.0200%</td></tr></table></body></html>"

// newClient is the production transport with a sleep that returns at once.
func newClient(timeout time.Duration) *http.Client {
	return collectors.NewHTTPClient(timeout, collectors.TransportOptions{
		UserAgent: "rivalwatch-test",
		Sleep:     func(context.Context, time.Duration) error { return nil },
	})
}

func TestFetchReturnsThePageThroughOurTransport(t *testing.T) {
	var accept, agent string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		accept, agent = r.Header.Get("Accept"), r.Header.Get("User-Agent")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page))
	}))
	defer srv.Close()

	f := New(newClient(5*time.Second), Options{})
	for range 2 { // the second fetch of the same page is not refused as a revisit
		got, err := f.Fetch(context.Background(), srv.URL+"/en/help/fees")
		if err != nil {
			t.Fatalf("Fetch: %v", err)
		}
		if string(got) != page {
			t.Fatalf("Fetch = %q, want the page", got)
		}
	}
	if !strings.Contains(accept, "text/html") {
		t.Errorf("Accept = %q, want a page request", accept)
	}
	if agent != "rivalwatch-test" {
		t.Errorf("User-Agent = %q, want the transport's", agent)
	}
}

func TestFetchFailuresKeepTheirKind(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		opts    Options
		timeout time.Duration
		want    collectors.ErrorKind
	}{
		{"rate limited", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		}, Options{}, 0, collectors.ErrRateLimited},
		{"forbidden here", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusForbidden)
		}, Options{}, 0, collectors.ErrGeoBlocked},
		{"server error", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
		}, Options{}, 0, collectors.ErrServer},
		{"over the page cap", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(page))
		}, Options{MaxBodyBytes: 32}, 0, collectors.ErrTooLarge},
		{"cut short", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "5000")
			w.Write([]byte(page))
		}, Options{}, 0, collectors.ErrTruncated},
		{"no answer in time", func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}, Options{}, 50 * time.Millisecond, collectors.ErrTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			_, err := New(newClient(timeout), tt.opts).Fetch(context.Background(), srv.URL+"/fees")
			var e *collectors.Error
			if !errors.As(err, &e) {
				t.Fatalf("Fetch error = %v (%T), want *collectors.Error", err, err)
			}
			if e.Kind != tt.want {
				t.Errorf("kind = %s, want %s (%v)", e.Kind, tt.want, err)
			}
			if e.Path != "/fees" {
				t.Errorf("path = %q, want /fees", e.Path)
			}
			if strings.Contains(err.Error(), srv.URL) {
				t.Errorf("error %q repeats the whole address", err)
			}
		})
	}
}

func TestFetchIgnoresCollyEnvironment(t *testing.T) {
	cacheDir := t.TempDir()
	env := map[string]string{
		"COLLY_USER_AGENT":         "from-the-environment",
		"COLLY_MAX_BODY_SIZE":      "10",
		"COLLY_ALLOWED_DOMAINS":    "example.com",
		"COLLY_DISALLOWED_DOMAINS": "127.0.0.1",
		"COLLY_IGNORE_ROBOTSTXT":   "no",
		"COLLY_MAX_REQUESTS":       "1",
		"COLLY_CACHE_DIR":          cacheDir,
		"COLLY_FOLLOW_REDIRECTS":   "no",
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	// The variables are live: colly's own constructor obeys them.
	if got := colly.NewCollector().UserAgent; got != "from-the-environment" {
		t.Fatalf("colly.NewCollector ignores COLLY_USER_AGENT (%q): the test proves nothing", got)
	}

	var agents []string
	var mu sync.Mutex
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("User-agent: *\nDisallow: /\n"))
	})
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/fees", http.StatusFound)
	})
	mux.HandleFunc("/fees", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents = append(agents, r.Header.Get("User-Agent"))
		mu.Unlock()
		w.Write([]byte(page))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// A plain client, so the User-Agent seen is colly's, not our transport's.
	client := &http.Client{Transport: collectors.NewBaseTransport(), Timeout: 5 * time.Second}
	f := New(client, Options{UserAgent: "rivalwatch-env-test"})
	for range 3 {
		got, err := f.Fetch(context.Background(), srv.URL+"/old")
		if err != nil {
			t.Fatalf("Fetch: %v", err)
		}
		if string(got) != page {
			t.Fatalf("Fetch = %q, want the whole page", got)
		}
	}
	for _, a := range agents {
		if a != "rivalwatch-env-test" {
			t.Errorf("User-Agent = %q, want ours", a)
		}
	}
	if entries, _ := os.ReadDir(cacheDir); len(entries) > 0 {
		t.Errorf("colly cached pages in COLLY_CACHE_DIR (%d entries)", len(entries))
	}
}

func TestFetchReturnsWhenTheContextEnds(t *testing.T) {
	arrived := make(chan struct{})
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-arrived
		cancel()
	}()
	_, err := New(newClient(time.Minute), Options{}).Fetch(ctx, srv.URL+"/fees")
	if kind := collectors.KindOf(err); kind != collectors.ErrInterrupted {
		t.Fatalf("Fetch after cancel: kind %s (%v), want interrupted", kind, err)
	}
}

func TestFetchLimitsParallelismPerHost(t *testing.T) {
	var inFlight, most atomic.Int32
	count := func() func() {
		n := inFlight.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		return func() { inFlight.Add(-1) }
	}
	// Host B answers while host A's request waits for B: with one shared
	// slot for both hosts this would never finish.
	bDone := make(chan struct{})
	a := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer count()()
		select {
		case <-bDone:
		case <-r.Context().Done():
		}
		w.Write([]byte(page))
	}))
	defer a.Close()
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(page))
	}))
	defer b.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f := New(newClient(10*time.Second), Options{Parallelism: 1})
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 3 {
		wg.Go(func() {
			_, err := f.Fetch(ctx, a.URL+"/fees")
			errs <- err
		})
	}
	_, err := f.Fetch(ctx, b.URL+"/fees")
	close(bDone)
	wg.Wait()
	close(errs)
	if err != nil {
		t.Fatalf("host B waited for host A: %v", err)
	}
	for err := range errs {
		if err != nil {
			t.Fatalf("host A: %v", err)
		}
	}
	if m := most.Load(); m != 1 {
		t.Errorf("%d requests in flight to one host, want 1", m)
	}
}

func TestFetchWaitsTheDelayBetweenRequestsToAHost(t *testing.T) {
	var mu sync.Mutex
	var arrivals []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
		w.Write([]byte(page))
	}))
	defer srv.Close()
	const delay = 30 * time.Millisecond
	f := New(newClient(5*time.Second), Options{Delay: delay})
	var answered time.Time
	for range 2 {
		if _, err := f.Fetch(context.Background(), srv.URL+"/fees"); err != nil {
			t.Fatal(err)
		}
		if answered.IsZero() {
			answered = time.Now()
		}
	}
	// A lower bound only: the delay can make fetches slower, never faster.
	if gap := arrivals[1].Sub(answered); gap < delay-time.Millisecond {
		t.Errorf("the second request came %s after the first answer, want at least %s", gap, delay)
	}
}

// TestFetchDoesNotSitThroughItsOwnDelay: the delay holds back the next
// request to the site, not the answer to this one. With an hour's delay
// the first fetch answers at once, and the second gives up when its
// context ends.
func TestFetchDoesNotSitThroughItsOwnDelay(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(page))
	}))
	defer srv.Close()
	f := New(newClient(5*time.Second), Options{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := f.Fetch(ctx, srv.URL+"/a"); err != nil {
		t.Fatalf("the first fetch sat through its own delay: %v", err)
	}
	short, cancelShort := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancelShort()
	if _, err := f.Fetch(short, srv.URL+"/b"); collectors.KindOf(err) != collectors.ErrTimeout {
		t.Fatalf("second fetch within the delay: %v, want a timeout", err)
	}
}

func TestFetchRefusesAnAddressThatIsNotAPage(t *testing.T) {
	for _, u := range []string{"", "ftp://example.com/x", "/relative/path", "http://"} {
		_, err := New(newClient(time.Second), Options{}).Fetch(context.Background(), u)
		if kind := collectors.KindOf(err); kind != collectors.ErrInternal {
			t.Errorf("Fetch(%q): kind %s (%v), want internal", u, kind, err)
		}
	}
}
