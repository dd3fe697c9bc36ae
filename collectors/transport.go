package collectors

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// TransportOptions configure the HTTP transport of one exchange.
type TransportOptions struct {
	UserAgent    string
	MaxBodyBytes int64         // responses larger than this fail with ErrTooLarge
	Retries      int           // extra attempts after a 5xx or a network error
	MaxRetryWait time.Duration // the longest Retry-After we wait out within a pull
	RatePerSec   float64       // request rate limit, 0 for none
	Burst        int
	Base         http.RoundTripper // nil for a fresh http.Transport
	// OnHold, when set, hears of every rate-limit hold the exchange asks
	// for (429, 418, 403 "too frequent"), so it can outlive the process.
	OnHold func(until time.Time, e *Error)

	// Sleep and Now are replaced in tests.
	Sleep func(ctx context.Context, d time.Duration) error
	Now   func() time.Time
}

// NewHTTPClient builds the client one exchange's collectors share. It is
// for exchanges, not for webhooks or other services: its transport turns
// every non-2xx answer, HTML page (unless the request accepts HTML, see
// AcceptHTML), oversized or truncated body into an *Error, waits out short Retry-After delays, retries 5xx and
// network failures, and after a rate-limit answer refuses further requests
// to that exchange until the exchange's wait is over, so we never hammer.
func NewHTTPClient(timeout time.Duration, opts TransportOptions) *http.Client {
	return &http.Client{Timeout: timeout, Transport: NewTransport(opts)}
}

// Transport is the http.RoundTripper behind NewHTTPClient.
type Transport struct {
	opts    TransportOptions
	limiter *rate.Limiter

	mu           sync.Mutex
	blockedUntil time.Time
	blockedBy    *Error
}

// NewBaseTransport is the connection pool under every exchange transport:
// proxies from the environment, HTTP/2, bounded idle and TLS handshake
// times. The recorder and the page fetcher build on it too.
func NewBaseTransport() *http.Transport {
	return &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
		ForceAttemptHTTP2:   true,
	}
}

// AcceptHTML marks a request as one for a web page (an announcement
// article, a fee schedule): the transport then sends Accept: text/html and
// passes a 2xx HTML answer through instead of failing it as not_json.
// Every other check (status, rate limits, size cap) still applies.
func AcceptHTML(req *http.Request) {
	req.Header.Set("Accept", htmlAccept)
}

const htmlAccept = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"

func acceptsHTML(req *http.Request) bool { return strings.Contains(req.Header.Get("Accept"), "html") }

// NewTransport builds a Transport; see NewHTTPClient.
func NewTransport(opts TransportOptions) *Transport {
	if opts.Base == nil {
		opts.Base = NewBaseTransport()
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 32 << 20
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "rivalwatch/1.0"
	}
	if opts.Sleep == nil {
		opts.Sleep = Sleep
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	t := &Transport{opts: opts}
	if opts.RatePerSec > 0 {
		burst := max(opts.Burst, 1)
		t.limiter = rate.NewLimiter(rate.Limit(opts.RatePerSec), burst)
	}
	return t
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		if err := t.cooling(req); err != nil {
			return nil, err
		}
		if t.limiter != nil {
			if err := t.limiter.Wait(ctx); err != nil {
				return nil, Stopped(ctx, req.URL.Path, "gave up waiting for the request rate limit")
			}
		}
		resp, err := t.once(req)
		if err == nil {
			return resp, nil
		}
		var e *Error
		if !errors.As(err, &e) || !t.retryable(e, attempt) {
			return nil, err
		}
		wait := e.RetryAfter
		if wait == 0 {
			wait = time.Duration(attempt+1) * 250 * time.Millisecond
		}
		// A retry that cannot finish before the deadline would only turn
		// this answer into a timeout: report the answer.
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return nil, e
		}
		if err := t.opts.Sleep(ctx, wait); err != nil {
			return nil, e
		}
		t.unblock()
	}
}

func (t *Transport) retryable(e *Error, attempt int) bool {
	switch e.Kind {
	case ErrServer, ErrNetwork, ErrTruncated:
		return attempt < t.opts.Retries
	case ErrRateLimited:
		return attempt == 0 && e.RetryAfter > 0 && e.RetryAfter <= t.opts.MaxRetryWait
	}
	return false
}

// once sends one request and turns any unusable answer into an *Error.
func (t *Transport) once(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set("User-Agent", t.opts.UserAgent)
	if r.Header.Get("Accept") == "" {
		r.Header.Set("Accept", "application/json")
	}
	countRequest(req.Context())
	path := req.URL.Path
	resp, err := t.opts.Base.RoundTrip(r)
	if err != nil {
		// Copy: a cancelled request returns its context's cause, which may
		// be another request's *Error shared with other goroutines.
		if c, ok := Classify(err).(*Error); ok {
			e := *c
			if e.Path == "" {
				e.Path = path
			}
			return nil, &e
		}
		if req.Context().Err() != nil {
			return nil, Stopped(req.Context(), path, "no answer in time")
		}
		return nil, &Error{Kind: ErrNetwork, Path: path, Err: err}
	}
	body, err := readCapped(resp.Body, t.opts.MaxBodyBytes)
	resp.Body.Close()
	if err != nil {
		if e, ok := err.(*Error); ok {
			e.Path, e.Status = path, resp.StatusCode
			return nil, e
		}
		return nil, &Error{Kind: ErrTruncated, Path: path, Status: resp.StatusCode, Msg: "the response ended early", Err: err}
	}
	if e := t.classify(resp, body, acceptsHTML(r)); e != nil {
		e.Path = path
		return nil, e
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// ReadBody reads resp's body whole, into one buffer of the declared size
// when there is one: the transport declares the size of every body it
// passes on, so the sweep's largest answers are not read through a
// growing buffer (io.ReadAll), which allocated three times their size.
func ReadBody(resp *http.Response) ([]byte, error) {
	if resp.ContentLength < 0 {
		return io.ReadAll(resp.Body)
	}
	body := make([]byte, resp.ContentLength)
	if _, err := io.ReadFull(resp.Body, body); err != nil {
		return nil, err
	}
	return body, nil
}

func (t *Transport) classify(resp *http.Response, body []byte, htmlOK bool) *Error {
	status := resp.StatusCode
	switch {
	case status >= 200 && status < 300:
		if !htmlOK && (strings.Contains(resp.Header.Get("Content-Type"), "html") || looksLikeHTML(body)) {
			return &Error{Kind: ErrNotJSON, Status: status, Msg: "got an HTML page instead of JSON (bot challenge or maintenance page)"}
		}
		return nil
	case status == http.StatusTooManyRequests:
		return t.block(&Error{Kind: ErrRateLimited, Status: status, Msg: "too many requests", RetryAfter: t.retryAfter(resp, time.Minute)})
	case status == http.StatusTeapot:
		return t.block(&Error{Kind: ErrBanned, Status: status, Msg: "IP banned for ignoring rate limits; no requests until the ban ends", RetryAfter: t.retryAfter(resp, 2*time.Minute)})
	case status == http.StatusForbidden && bytes.Contains(bytes.ToLower(body), []byte("too frequent")):
		return t.block(&Error{Kind: ErrRateLimited, Status: status, Msg: "access too frequent; IP blocked for at least 10 minutes", RetryAfter: t.retryAfter(resp, 10*time.Minute)})
	case status == http.StatusForbidden, status == http.StatusUnavailableForLegalReasons:
		return &Error{Kind: ErrGeoBlocked, Status: status, Msg: "the exchange refuses requests from this location; run from another region"}
	case status >= 500:
		return &Error{Kind: ErrServer, Status: status, Msg: snippet(body)}
	default:
		return &Error{Kind: ErrRejected, Status: status, Msg: snippet(body)}
	}
}

// retryAfter reads Retry-After in seconds or as an HTTP date.
func (t *Transport) retryAfter(resp *http.Response, fallback time.Duration) time.Duration {
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return fallback
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil {
		if d := at.Sub(t.opts.Now()); d > 0 {
			return d
		}
		return 0
	}
	return fallback
}

func (t *Transport) block(e *Error) *Error {
	t.mu.Lock()
	defer t.mu.Unlock()
	until := t.opts.Now().Add(e.RetryAfter)
	if until.After(t.blockedUntil) {
		t.blockedUntil, t.blockedBy = until, e
	}
	if t.opts.OnHold != nil {
		t.opts.OnHold(until, e)
	}
	return e
}

func (t *Transport) unblock() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.opts.Now().Before(t.blockedUntil) {
		t.blockedBy = nil
	}
}

// errHeld marks a request the transport did not send because the exchange
// asked us to wait: a consequence of another answer, not a cause.
var errHeld = errors.New("held for the exchange's rate limit")

// cooling refuses a request while the exchange's Retry-After runs.
func (t *Transport) cooling(req *http.Request) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.blockedBy == nil {
		return nil
	}
	left := t.blockedUntil.Sub(t.opts.Now())
	if left <= 0 {
		t.blockedBy = nil
		return nil
	}
	return &Error{Kind: t.blockedBy.Kind, Status: t.blockedBy.Status, Path: req.URL.Path, RetryAfter: left,
		Msg: fmt.Sprintf("not sent: still waiting out the exchange's HTTP %d", t.blockedBy.Status), Err: errHeld}
}

func readCapped(r io.Reader, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, &Error{Kind: ErrTooLarge, Msg: fmt.Sprintf("the response is larger than %d bytes", limit)}
	}
	return body, nil
}

func looksLikeHTML(body []byte) bool {
	b := bytes.TrimSpace(body)
	return len(b) > 0 && b[0] == '<'
}

// snippet keeps the start of an error body for the run's error text.
func snippet(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// Sleep waits d or until ctx ends, whichever comes first, and returns
// ctx's error in the second case.
func Sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type counterKey struct{}

// WithRequestCounter returns a context whose HTTP requests through a
// Transport are counted in the returned counter.
func WithRequestCounter(ctx context.Context) (context.Context, *atomic.Int64) {
	n := new(atomic.Int64)
	return context.WithValue(ctx, counterKey{}, n), n
}

func countRequest(ctx context.Context) {
	if n, ok := ctx.Value(counterKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
}
