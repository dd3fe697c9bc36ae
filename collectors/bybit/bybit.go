// Package bybit collects Bybit v5's public perpetual-futures data: listings
// (linear, inverse and pre-market), funding and 24h market stats, through a
// small typed client on net/http.
package bybit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// DefaultBaseURL is Bybit's global REST host.
const DefaultBaseURL = "https://api.bybit.com"

// Bybit pages instruments-info at most 1000 at a time; asking for the most
// keeps a full sweep to one or two requests per list.
const maxPageLimit = 1000

// maxPages bounds cursor paging: 100 pages of even 500 symbols is ten times
// what Bybit lists, so more means the cursor is broken.
const maxPages = 100

// Config configures a Collector.
type Config struct {
	BaseURL   string // REST base, e.g. https://api.bybit.com; empty for DefaultBaseURL
	PageLimit int    // instruments-info page size, 1..1000; 0 or out of range means 1000
}

// Collector pulls Bybit v5's public market endpoints. It implements
// collectors.Collector and keeps no state between pulls.
type Collector struct {
	base   string
	limit  int
	client *http.Client
	now    func() time.Time // stamps records when Bybit's envelope has no time
}

// NewCollector returns a Collector that sends every request through client,
// which should come from collectors.NewHTTPClient so that HTTP statuses,
// HTML pages and rate limits are classified and honoured.
func NewCollector(cfg Config, client *http.Client) *Collector {
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	limit := cfg.PageLimit
	if limit < 1 || limit > maxPageLimit {
		limit = maxPageLimit
	}
	return &Collector{base: base, limit: limit, client: client, now: time.Now}
}

// Exchange returns "bybit".
func (c *Collector) Exchange() string { return "bybit" }

// Collect pulls one kind. Any failed request or unusable payload fails the
// whole pull, so a partial list never looks like delistings.
func (c *Collector) Collect(ctx context.Context, kind collectors.Kind) (collectors.Records, error) {
	switch kind {
	case collectors.KindInstruments:
		ins, err := c.instruments(ctx)
		return collectors.Records{Instruments: ins}, err
	case collectors.KindFunding:
		f, err := c.funding(ctx)
		return collectors.Records{Funding: f}, err
	case collectors.KindMarket:
		m, err := c.market(ctx)
		return collectors.Records{Market: m}, err
	}
	return collectors.Records{}, fmt.Errorf("bybit does not collect %q", kind)
}

// envelope is Bybit v5's wrapper around every answer.
type envelope struct {
	RetCode *number         `json:"retCode"`
	RetMsg  string          `json:"retMsg"`
	Result  json.RawMessage `json:"result"`
	Time    number          `json:"time"`
}

// Bybit retCodes that mean "slow down" rather than "bad request".
const (
	retTooManyVisits = 10006
	retIPRateLimited = 10018
)

// get fetches path?query, checks the envelope and decodes its result into
// result. It returns Bybit's server time, zero when the envelope has none.
func (c *Collector) get(ctx context.Context, path string, query url.Values, result any) (time.Time, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path+"?"+query.Encode(), nil)
	if err != nil {
		return time.Time{}, &collectors.Error{Kind: collectors.ErrInternal, Path: path, Err: err}
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return time.Time{}, c.requestError(path, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return time.Time{}, c.requestError(path, err)
	}
	var env envelope
	if err := collectors.DecodeJSON(body, &env); err != nil {
		return time.Time{}, withPath(path, err)
	}
	if env.RetCode == nil {
		return time.Time{}, &collectors.Error{Kind: collectors.ErrMalformed, Path: path, Msg: "no retCode in the answer"}
	}
	code, err := env.RetCode.int()
	if err != nil {
		return time.Time{}, withPath(path, err)
	}
	if code != 0 {
		kind := collectors.ErrAPI
		if code == retTooManyVisits || code == retIPRateLimited {
			kind = collectors.ErrRateLimited
		}
		return time.Time{}, &collectors.Error{Kind: kind, Path: path, Msg: fmt.Sprintf("retCode %d: %s", code, env.RetMsg)}
	}
	if len(env.Result) == 0 || string(env.Result) == "null" {
		return time.Time{}, &collectors.Error{Kind: collectors.ErrMalformed, Path: path, Msg: "no result in the answer"}
	}
	if err := json.Unmarshal(env.Result, result); err != nil {
		return time.Time{}, withPath(path, collectors.Classify(err))
	}
	at, err := collectors.ParseMillis(string(env.Time))
	if err != nil {
		return time.Time{}, withPath(path, err)
	}
	return at, nil
}

// requestError keeps the transport's classification and drops the
// *url.Error wrapper, whose text repeats the whole URL. http.Client hides
// the transport's error behind its own on a client timeout, so that case is
// restated with the timeout that ran out.
func (c *Collector) requestError(path string, err error) error {
	var e *collectors.Error
	if errors.As(err, &e) {
		return e
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if collectors.KindOf(err) == collectors.ErrTimeout {
		msg := "no answer in time"
		if c.client.Timeout > 0 {
			msg = fmt.Sprintf("no answer within %s", c.client.Timeout)
		}
		return &collectors.Error{Kind: collectors.ErrTimeout, Path: path, Msg: msg}
	}
	if cl := collectors.Classify(err); cl != err {
		return withPath(path, cl)
	}
	return &collectors.Error{Kind: collectors.ErrNetwork, Path: path, Err: err}
}

// withPath names the request on an *collectors.Error that lacks it.
func withPath(path string, err error) error {
	var e *collectors.Error
	if errors.As(err, &e) && e.Path == "" {
		e.Path = path
	}
	return err
}
