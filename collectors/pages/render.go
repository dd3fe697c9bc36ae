package pages

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// DefaultRenderTimeout bounds one rendering when BrowserOptions.Timeout is
// zero: starting Chromium, loading the page and running its scripts.
const DefaultRenderTimeout = 45 * time.Second

// browserNames are looked up on PATH in this order; Debian's package
// installs /usr/bin/chromium.
var browserNames = []string{"chromium", "chromium-browser", "google-chrome"}

// BrowserOptions configure Render.
type BrowserOptions struct {
	ExecPath     string        // the browser binary; empty looks up chromium, chromium-browser, google-chrome
	WaitSelector string        // CSS of the element whose visibility means the page is built; empty for body
	Timeout      time.Duration // 0 for DefaultRenderTimeout
	UserAgent    string        // empty for DefaultUserAgent
	MaxBodyBytes int64         // cap on the rendered HTML, 0 for DefaultMaxBodyBytes
}

// Render loads rawURL in a fresh headless Chromium, waits until
// WaitSelector is visible, and returns the DOM's outer HTML: for pages
// whose fee table only exists after their scripts run. Each call starts its
// own browser with its own temporary profile, removed afterwards, so no
// cookie or cache outlives a rendering.
//
// The browser does its own networking, outside our transport; an HTTP
// error status of the page itself is still classified.
func Render(ctx context.Context, rawURL string, opts BrowserOptions) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, &collectors.Error{Kind: collectors.ErrInternal, Msg: fmt.Sprintf("not a web page address: %q", rawURL)}
	}
	path := u.Path
	exe, err := findBrowser(opts.ExecPath)
	if err != nil {
		return nil, &collectors.Error{Kind: collectors.ErrInternal, Path: path, Msg: err.Error()}
	}
	if opts.WaitSelector == "" {
		opts.WaitSelector = "body"
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultRenderTimeout
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}

	profile, err := os.MkdirTemp("", "rivalwatch-chromium-")
	if err != nil {
		return nil, &collectors.Error{Kind: collectors.ErrInternal, Path: path, Msg: "render: no temporary browser profile", Err: err}
	}
	defer os.RemoveAll(profile) // after the browser has exited: cancelAlloc waits for it

	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	// NewExecAllocator with an explicit list, not DefaultExecAllocatorOptions
	// through NewContext: the latter honours CHROMEDP_VISIBLEWINDOW.
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox, // containers run us as root, where the sandbox cannot start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), // /dev/shm is 64 MB in a default container
		chromedp.UserDataDir(profile),
		chromedp.UserAgent(opts.UserAgent),
	)
	defer cancelAlloc()
	quiet := func(string, ...any) {}
	tab, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithLogf(quiet), chromedp.WithErrorf(quiet))
	defer cancelTab()

	resp, err := chromedp.RunResponse(tab, chromedp.Navigate(rawURL))
	if err != nil {
		return nil, renderError(path, opts, err)
	}
	if err := statusError(resp); err != nil {
		return nil, renderError(path, opts, err)
	}
	if err := chromedp.Do(tab, chromedp.WaitVisible(chromedp.CSS(opts.WaitSelector))); err != nil {
		return nil, renderError(path, opts, err)
	}
	html, err := chromedp.Run(tab, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		return nil, renderError(path, opts, err)
	}
	if int64(len(html)) > opts.MaxBodyBytes {
		return nil, &collectors.Error{Kind: collectors.ErrTooLarge, Path: path,
			Msg: fmt.Sprintf("the rendered page is larger than %d bytes", opts.MaxBodyBytes)}
	}
	return []byte(html), nil
}

// errNoBrowser is the operator's message when no browser is installed.
var errNoBrowser = errors.New("render: no Chromium found (install Debian's chromium)")

func findBrowser(explicit string) (string, error) {
	if explicit != "" {
		if _, err := exec.LookPath(explicit); err != nil {
			return "", fmt.Errorf("render: no Chromium at %s (install Debian's chromium or fix the path)", explicit)
		}
		return explicit, nil
	}
	for _, name := range browserNames {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errNoBrowser
}

// statusError classifies the page's own HTTP status like the transport
// does for fetched pages.
func statusError(resp *network.Response) error {
	if resp == nil {
		return nil
	}
	status := int(resp.Status)
	switch {
	case status < 400:
		return nil
	case status == 429:
		return &collectors.Error{Kind: collectors.ErrRateLimited, Status: status, Msg: "too many requests"}
	case status == 403 || status == 451:
		return &collectors.Error{Kind: collectors.ErrGeoBlocked, Status: status, Msg: "the site refuses requests from this location"}
	case status >= 500:
		return &collectors.Error{Kind: collectors.ErrServer, Status: status}
	default:
		return &collectors.Error{Kind: collectors.ErrRejected, Status: status}
	}
}

func renderError(path string, opts BrowserOptions, err error) error {
	var e *collectors.Error
	if errors.As(err, &e) {
		c := *e
		c.Path = path
		return &c
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &collectors.Error{Kind: collectors.ErrTimeout, Path: path,
			Msg: fmt.Sprintf("%q did not appear within %s", opts.WaitSelector, opts.Timeout)}
	}
	if strings.Contains(err.Error(), "net::ERR_") {
		return &collectors.Error{Kind: collectors.ErrNetwork, Path: path, Msg: "the browser could not load the page", Err: err}
	}
	return &collectors.Error{Kind: collectors.ErrInternal, Path: path, Msg: "render", Err: err}
}
