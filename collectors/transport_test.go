package collectors

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a clock that only moves when a test sleeps.
type fakeClock struct {
	now   time.Time
	slept []time.Duration
}

func (c *fakeClock) Now() time.Time { return c.now }
func (c *fakeClock) Sleep(_ context.Context, d time.Duration) error {
	c.slept = append(c.slept, d)
	c.now = c.now.Add(d)
	return nil
}

func newTestClient(clock *fakeClock, opts TransportOptions) *http.Client {
	opts.Sleep, opts.Now = clock.Sleep, clock.Now
	return NewHTTPClient(5*time.Second, opts)
}

func get(t *testing.T, c *http.Client, url string) (string, error) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func TestTransportClassifiesAnswers(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		header   map[string]string
		body     string
		want     ErrorKind
		requests int32 // how many reached the server
	}{
		{"429 with long Retry-After fails at once", 429, map[string]string{"Retry-After": "120"}, `{"code":-1003}`, ErrRateLimited, 1},
		{"418 is a ban, never retried", 418, map[string]string{"Retry-After": "2"}, `{"code":-1003}`, ErrBanned, 1},
		{"451 is a geo-block", 451, nil, `{"code":0,"msg":"Service unavailable from a restricted location"}`, ErrGeoBlocked, 1},
		{"403 is a geo-block", 403, nil, `Forbidden`, ErrGeoBlocked, 1},
		{"403 too frequent is a rate limit", 403, nil, `{"retCode":10006,"retMsg":"access too frequent"}`, ErrRateLimited, 1},
		{"5xx is retried then fails", 502, nil, `bad gateway`, ErrServer, 3},
		{"other 4xx is rejected", 400, nil, `{"code":"51000","msg":"Parameter instId error"}`, ErrRejected, 1},
		{"HTML challenge page with 200", 200, map[string]string{"Content-Type": "text/html"}, `<html><body>Checking your browser</body></html>`, ErrNotJSON, 1},
		{"HTML without content type", 200, nil, "  <!DOCTYPE html><html></html>", ErrNotJSON, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			clock := &fakeClock{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
			c := newTestClient(clock, TransportOptions{Retries: 2, MaxRetryWait: 5 * time.Second})
			_, err := get(t, c, srv.URL+"/fapi/v1/exchangeInfo")
			if got := KindOf(err); got != tt.want {
				t.Fatalf("kind = %s, want %s (err %v)", got, tt.want, err)
			}
			if got := hits.Load(); got != tt.requests {
				t.Errorf("server saw %d requests, want %d", got, tt.requests)
			}
		})
	}
}

func TestTransportWaitsOutShortRetryAfter(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		io.WriteString(w, `{"ok":true}`)
	}))
	defer srv.Close()
	clock := &fakeClock{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	c := newTestClient(clock, TransportOptions{MaxRetryWait: 5 * time.Second})
	body, err := get(t, c, srv.URL+"/x")
	if err != nil || body != `{"ok":true}` {
		t.Fatalf("got %q, %v", body, err)
	}
	if len(clock.slept) != 1 || clock.slept[0] != 2*time.Second {
		t.Errorf("slept %v, want exactly the 2s the exchange asked for", clock.slept)
	}
}

func TestTransportCoolsDownAfterRateLimit(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	clock := &fakeClock{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	c := newTestClient(clock, TransportOptions{MaxRetryWait: time.Second})
	for range 5 {
		if _, err := get(t, c, srv.URL+"/x"); KindOf(err) != ErrRateLimited {
			t.Fatalf("want rate_limited, got %v", err)
		}
	}
	if got := hits.Load(); got != 1 {
		t.Fatalf("server saw %d requests during the 60s wait, want 1", got)
	}
	var e *Error
	_, err := get(t, c, srv.URL+"/x")
	if !errors.As(err, &e) || e.RetryAfter != time.Minute {
		t.Errorf("cool-down error should carry the time left: %v", err)
	}
	clock.now = clock.now.Add(61 * time.Second)
	get(t, c, srv.URL+"/x")
	if got := hits.Load(); got != 2 {
		t.Errorf("after the wait the request should go out again; server saw %d", got)
	}
}

func TestTransportBodyProblems(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			io.WriteString(w, `{"data":"`+string(make([]byte, 2048))+`"}`)
		case "/truncated":
			w.Header().Set("Content-Length", "1000")
			io.WriteString(w, `{"symbols":[{"symbol":"BTCUSDT"`)
		}
	}))
	defer srv.Close()
	clock := &fakeClock{}
	c := newTestClient(clock, TransportOptions{MaxBodyBytes: 1024})
	if _, err := get(t, c, srv.URL+"/big"); KindOf(err) != ErrTooLarge {
		t.Errorf("big body: %v", err)
	}
	if _, err := get(t, c, srv.URL+"/truncated"); KindOf(err) != ErrTruncated {
		t.Errorf("truncated body: %v", err)
	}
}

func TestTransportTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()
	c := NewHTTPClient(50*time.Millisecond, TransportOptions{})
	if _, err := get(t, c, srv.URL+"/slow"); KindOf(err) != ErrTimeout {
		t.Fatalf("want timeout, got %v", err)
	}
}

func TestTransportCountsRequestsAndNamesUs(t *testing.T) {
	var agent atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agent.Store(r.Header.Get("User-Agent"))
		io.WriteString(w, `[]`)
	}))
	defer srv.Close()
	c := NewHTTPClient(time.Second, TransportOptions{UserAgent: "rivalwatch-test"})
	ctx, n := WithRequestCounter(context.Background())
	for range 3 {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if n.Load() != 3 {
		t.Errorf("counted %d requests, want 3", n.Load())
	}
	if agent.Load() != "rivalwatch-test" {
		t.Errorf("User-Agent %q", agent.Load())
	}
}

func TestDecodeJSON(t *testing.T) {
	var v map[string]any
	for body, want := range map[string]ErrorKind{
		`<html>`:        ErrNotJSON,
		`{"symbols":[`:  ErrTruncated,
		`{"symbols":]}`: ErrMalformed,
	} {
		if got := KindOf(DecodeJSON([]byte(body), &v)); got != want {
			t.Errorf("%s: kind %s, want %s", body, got, want)
		}
	}
}

func TestMultiplierAndCoin(t *testing.T) {
	for base, want := range map[string]struct {
		mult float64
		coin string
	}{
		"1000PEPE": {1000, "PEPE"}, "1000000MOG": {1e6, "MOG"}, "1MBABYDOGE": {1e6, "BABYDOGE"},
		"1INCH": {1, "1INCH"}, "BTC": {1, "BTC"}, "10000SATS": {10000, "SATS"},
		"1000": {1, "1000"}, "1000x": {1, "1000x"}, "1M": {1, "1M"}, "1Mx": {1, "1Mx"}, "": {1, ""},
	} {
		if m, c := Multiplier(base), Coin(base); m != want.mult || c != want.coin {
			t.Errorf("%s: got %g %s, want %g %s", base, m, c, want.mult, want.coin)
		}
	}
}

func TestTransportPassesPagesThatAcceptHTML(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/fees" && !strings.Contains(r.Header.Get("Accept"), "text/html") {
			t.Errorf("a page request must send Accept: text/html, sent %q", r.Header.Get("Accept"))
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<html><body><table><tr><td>VIP 0</td></tr></table></body></html>")
	}))
	defer srv.Close()
	client := NewHTTPClient(5*time.Second, TransportOptions{})
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/fees", nil)
	AcceptHTML(req)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("a page request got %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "VIP 0") {
		t.Errorf("page body lost: %q", body)
	}
	// The same answer to an API request is still a challenge page.
	if _, err := client.Get(srv.URL + "/api"); KindOf(err) != ErrNotJSON {
		t.Errorf("an API request answered with HTML must fail as not_json, got %v", err)
	}
}

func TestWrongJSONTypeNamesTheField(t *testing.T) {
	var v struct {
		Data []struct {
			InstID string `json:"instId"`
		} `json:"data"`
	}
	err := DecodeJSON([]byte(`{"data":[{"instId":12345}]}`), &v)
	if KindOf(err) != ErrMalformed || !strings.Contains(err.Error(), "instId: a number where text belongs") {
		t.Errorf("got %v", err)
	}
}

// TestReadBody checks that ReadBody returns a body whole, through the
// transport (up to its size limit, declared or chunked) or not, and that a body shorter than declared is an error.
func TestReadBody(t *testing.T) {
	full := strings.Repeat("x", 1024)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/chunked" {
			w.(http.Flusher).Flush() // no Content-Length
		}
		io.WriteString(w, full)
	}))
	defer srv.Close()
	for _, tc := range []struct {
		name   string
		client *http.Client
		path   string
	}{
		{"declared length at the limit", newTestClient(&fakeClock{}, TransportOptions{MaxBodyBytes: 1024}), "/"},
		{"chunked", newTestClient(&fakeClock{}, TransportOptions{MaxBodyBytes: 1024}), "/chunked"},
		{"plain client, chunked", srv.Client(), "/chunked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := tc.client.Get(srv.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := ReadBody(resp)
			if err != nil || string(body) != full {
				t.Errorf("got %d bytes, error %v; want %d bytes", len(body), err, len(full))
			}
		})
	}
	short := &http.Response{ContentLength: 10, Body: io.NopCloser(strings.NewReader("12345"))}
	if _, err := ReadBody(short); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a body shorter than declared: error %v, want unexpected EOF", err)
	}
}

// TestCancelledRequestIsNotATimeout: a request cancelled in flight, by the
// operator or by a sibling's failure, is an interruption that still says
// it was cancelled after RequestError rewords it, so FanOut can tell it
// from a failure of its own.
func TestCancelledRequestIsNotATimeout(t *testing.T) {
	arrived := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
	}))
	defer srv.Close()
	c := NewHTTPClient(5*time.Second, TransportOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/slow", nil)
	_, err := c.Do(req)
	err = RequestError(c, "/slow", err)
	if KindOf(err) != ErrInterrupted || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v (kind %s), want an interruption that wraps context.Canceled", err, KindOf(err))
	}
}
