// Package pages fetches public web pages (fee schedules, announcement
// articles) with colly on our own HTTP client, renders script-built pages
// with headless Chromium, and turns HTML into readable text.
//
// colly is configured field by field: colly.NewCollector applies COLLY_*
// environment variables after its options, so an operator's shell could
// silently change the user agent, body cap, robots or domain rules. New
// therefore starts from Collector.Init, which reads no environment, and sets
// everything this package relies on itself.
package pages

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gocolly/colly/v2"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// Defaults for zero Options fields.
const (
	DefaultUserAgent    = "rivalwatch/1.0 (competitor fee monitor)"
	DefaultMaxBodyBytes = 8 << 20 // a fee page or article is well under 1 MB; 8 MB allows inline scripts
	DefaultParallelism  = 1
)

// Options configure a Fetcher.
type Options struct {
	// UserAgent is sent when the client's transport sets none of its own;
	// collectors.NewTransport always sets its own, which then wins.
	UserAgent string
	// Delay is the pause after each request to one host before the next
	// request to that host starts. The caller of the request does not sit
	// through it: the next caller does.
	Delay time.Duration
	// Parallelism is the number of requests in flight to one host.
	Parallelism int
	// MaxBodyBytes caps a page; a larger page fails with kind too_large.
	MaxBodyBytes int64
}

// Fetcher fetches pages through one *http.Client. It is safe for
// concurrent use; the delay and parallelism apply per host across all
// callers.
type Fetcher struct {
	client *http.Client
	opts   Options
	mu     sync.Mutex
	hosts  map[string]*host
}

// host is one site's collector and its request slots. The slots are ours,
// not a colly LimitRule: colly sleeps a rule's delay after each response
// before handing it back, which made every article fetch, and so every
// announcement, a delay late.
type host struct {
	c *colly.Collector
	// slots holds one entry per request allowed in flight: the time from
	// which that slot may send again.
	slots chan time.Time
}

// acquire takes a slot and waits out its delay, or returns ctx's error.
func (h *host) acquire(ctx context.Context) error {
	var free time.Time
	select {
	case free = <-h.slots:
	case <-ctx.Done():
		return ctx.Err()
	}
	wait := time.Until(free)
	if wait <= 0 {
		return nil
	}
	if err := collectors.Sleep(ctx, wait); err != nil {
		h.slots <- free
		return err
	}
	return nil
}

// release hands the slot back, free again after delay.
func (h *host) release(delay time.Duration) { h.slots <- time.Now().Add(delay) }

// New builds a Fetcher on client, which should come from
// collectors.NewHTTPClient so that rate limits, challenges, 5xx, timeouts
// and truncated bodies arrive as *collectors.Error.
//
// robots.txt is not consulted: the fetcher only reads the few URLs an
// operator configured, a few times a day, and never follows links, which
// is not the crawling robots.txt governs; checking it would add a request
// per host that can itself be rate limited.
func New(client *http.Client, opts Options) *Fetcher {
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.Parallelism <= 0 {
		opts.Parallelism = DefaultParallelism
	}
	return &Fetcher{client: client, opts: opts, hosts: map[string]*host{}}
}

// host returns name's collector and slots, made on first use. Each host
// gets its own, so one exchange's delay never holds up another's.
func (f *Fetcher) host(name string) *host {
	f.mu.Lock()
	defer f.mu.Unlock()
	if h, ok := f.hosts[name]; ok {
		return h
	}
	c := &colly.Collector{}
	c.Init() // not colly.NewCollector: see the package comment
	c.UserAgent = f.opts.UserAgent
	// One byte over our cap: colly cuts a body at MaxBodySize without
	// saying so, and the extra byte is how Fetch tells a cut page.
	c.MaxBodySize = int(f.opts.MaxBodyBytes) + 1
	c.IgnoreRobotsTxt = true
	c.AllowURLRevisit = true // every sweep fetches the same pages again
	c.AllowedDomains, c.DisallowedDomains = nil, nil
	c.CacheDir = ""
	c.DetectCharset = false
	c.MaxDepth, c.MaxRequests = 0, 0
	c.ParseHTTPErrorResponse = false
	c.TraceHTTP = false
	c.Async = false
	c.SetClient(f.client)
	h := &host{c: c, slots: make(chan time.Time, f.opts.Parallelism)}
	for range f.opts.Parallelism {
		h.slots <- time.Time{}
	}
	f.hosts[name] = h
	return h
}

// Fetch returns the HTML at rawURL. Failures are *collectors.Error: the
// transport's kinds for HTTP and network failures, too_large for a page
// over the cap, timeout when ctx's deadline passes first, interrupted when
// it is cancelled.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, &collectors.Error{Kind: collectors.ErrInternal, Msg: fmt.Sprintf("not a web page address: %q", rawURL)}
	}
	path := u.Path
	h := f.host(u.Host)
	if err := h.acquire(ctx); err != nil {
		return nil, collectors.Stopped(ctx, path, "gave up waiting for the site's request delay")
	}

	c := h.c.Clone()
	c.Context = ctx
	var body []byte
	c.OnResponse(func(r *colly.Response) { body = r.Body })

	hdr := pageHeader(rawURL)
	done := make(chan error, 1)
	// A cancelled caller returns at once; the request itself is cancelled
	// through c.Context, and its slot is handed back when it has ended.
	go func() {
		err := c.Request(http.MethodGet, rawURL, nil, nil, hdr)
		h.release(f.opts.Delay)
		done <- err
	}()
	select {
	case err = <-done:
	case <-ctx.Done():
		return nil, collectors.Stopped(ctx, path, "no answer in time")
	}
	if err != nil {
		return nil, fetchError(path, err)
	}
	if int64(len(body)) > f.opts.MaxBodyBytes {
		return nil, &collectors.Error{Kind: collectors.ErrTooLarge, Path: path,
			Msg: fmt.Sprintf("the page is larger than %d bytes", f.opts.MaxBodyBytes)}
	}
	return body, nil
}

// pageHeader marks the request as one for a web page, so that the
// transport passes HTML through.
func pageHeader(rawURL string) http.Header {
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		return http.Header{}
	}
	collectors.AcceptHTML(req)
	return req.Header
}

// fetchError keeps the transport's classification, drops the *url.Error
// wrapper (its text repeats the whole URL) and names the page once.
func fetchError(path string, err error) error {
	var e *collectors.Error
	if errors.As(err, &e) {
		c := *e
		if c.Path == "" {
			c.Path = path
		}
		return &c
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if cl, ok := collectors.Classify(err).(*collectors.Error); ok {
		c := *cl
		c.Path = path
		return &c
	}
	// What is left is colly's own refusal (a 2xx other than 200–202).
	return &collectors.Error{Kind: collectors.ErrInternal, Path: path, Err: err}
}
