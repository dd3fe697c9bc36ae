// Package bybit collects Bybit v5's public perpetual-futures data: listings
// (linear, inverse and pre-market), funding and 24h market stats, through a
// small typed client on net/http.
package bybit

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/fees"
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
	// Fees are the fees pull's pages and manual entries; with
	// Credentials set it also reads our account's rates for the trading
	// perpetuals in FeeSymbols (unified; empty for all).
	Fees        fees.Sources
	Credentials Credentials
	FeeSymbols  []string
}

// Collector pulls Bybit v5's public market endpoints. It implements
// collectors.Collector and keeps no state between pulls.
type Collector struct {
	base   string
	limit  int
	client *http.Client
	now    func() time.Time                // stamps records when Bybit's envelope has no time
	feeCfg Config                          // for the fees pull: its Fees, Credentials and FeeSymbols
	annCfg AnnouncementsConfig             // see WithAnnouncements
	annSrc *collectors.AnnouncementSources // nil: announcements not configured
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
	return &Collector{base: base, limit: limit, client: client, now: time.Now, feeCfg: cfg}
}

// Exchange returns "bybit".
func (c *Collector) Exchange() string { return "bybit" }

// Pulls is the capability table: each kind Bybit publishes and the pull
// that collects it. On any failed request or unusable payload a pull
// returns no records: a partial pull must never look complete.
func (c *Collector) Pulls() collectors.Pulls {
	return collectors.Pulls{
		collectors.KindInstruments:   collectors.InstrumentsPull(c.instruments),
		collectors.KindFunding:       collectors.FundingPull(c.funding),
		collectors.KindMarket:        collectors.MarketPull(c.market),
		collectors.KindFees:          collectors.FeesPull(c.fees),
		collectors.KindAnnouncements: c.announcementsPull(),
		collectors.KindYield:         collectors.YieldPull(c.Yield),
	}
}

// envelope is Bybit v5's wrapper around every answer.
type envelope struct {
	RetCode *collectors.Number `json:"retCode"`
	RetMsg  string             `json:"retMsg"`
	// Result points at the caller's value, so the answer is parsed in one
	// pass: tickers and instrument lists are most of a sweep's CPU.
	Result any               `json:"result"`
	Time   collectors.Number `json:"time"`
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
		return time.Time{}, collectors.RequestError(c.client, path, err)
	}
	body, err := collectors.ReadBody(resp)
	resp.Body.Close()
	if err != nil {
		return time.Time{}, collectors.RequestError(c.client, path, err)
	}
	env := envelope{Result: result}
	decodeErr := collectors.DecodeJSON(body, &env)
	if env.RetCode == nil && decodeErr != nil {
		return time.Time{}, collectors.WithPath(path, decodeErr)
	}
	if env.RetCode == nil {
		return time.Time{}, &collectors.Error{Kind: collectors.ErrMalformed, Path: path, Msg: "no retCode in the answer"}
	}
	code, err := integer(*env.RetCode)
	if err != nil {
		return time.Time{}, collectors.WithPath(path, err)
	}
	if code != 0 {
		kind := collectors.ErrAPI
		if code == retTooManyVisits || code == retIPRateLimited {
			kind = collectors.ErrRateLimited
		}
		return time.Time{}, &collectors.Error{Kind: kind, Path: path, Msg: fmt.Sprintf("retCode %d: %s", code, env.RetMsg)}
	}
	if env.Result == nil {
		return time.Time{}, &collectors.Error{Kind: collectors.ErrMalformed, Path: path, Msg: "no result in the answer"}
	}
	if decodeErr != nil {
		return time.Time{}, collectors.WithPath(path, decodeErr)
	}
	at, err := collectors.ParseMillis(string(env.Time))
	if err != nil {
		return time.Time{}, collectors.WithPath(path, err)
	}
	return at, nil
}
