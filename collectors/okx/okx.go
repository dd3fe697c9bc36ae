// Package okx collects OKX v5 perpetual swaps: listings, funding and 24h
// market stats, from the public REST API, with a small typed client on
// net/http. Sizes on OKX are in contracts; they are converted to coins or
// USD with the contract value (ctVal × ctMult) where the records need money.
package okx

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/fees"
)

// The REST paths read.
const (
	pathInstruments  = "/api/v5/public/instruments"
	pathFundingRate  = "/api/v5/public/funding-rate"
	pathTickers      = "/api/v5/market/tickers"
	pathOpenInterest = "/api/v5/public/open-interest"
)

// codeRateLimited is OKX's "too many requests", sent with HTTP 429 and
// sometimes with 200.
const codeRateLimited = "50011"

// Config configures a Collector.
type Config struct {
	BaseURL     string // REST base, e.g. https://www.okx.com
	Concurrency int    // max in-flight requests in the per-instrument funding fallback (default 10)
	// Fees are the fees pull's pages and manual entries; with
	// Credentials set it also reads our account's rates for the trading
	// swaps in FeeSymbols (unified; empty for all).
	Fees        fees.Sources
	Credentials Credentials
	FeeSymbols  []string
}

// Collector pulls OKX's public SWAP data. It is stateless between pulls.
type Collector struct {
	cfg    Config
	client *http.Client
	now    func() time.Time                // fetch time, for rows without an exchange timestamp
	annCfg AnnouncementsConfig             // see WithAnnouncements
	annSrc *collectors.AnnouncementSources // nil: announcements not configured
}

// NewCollector returns a collector that sends every request through client,
// which should come from collectors.NewHTTPClient so that HTTP statuses,
// HTML pages and truncated bodies arrive as *collectors.Error.
func NewCollector(cfg Config, client *http.Client) *Collector {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 10
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Collector{cfg: cfg, client: client, now: time.Now}
}

// Exchange implements collectors.Collector.
func (c *Collector) Exchange() string { return "okx" }

// Pulls is the capability table: each kind OKX publishes and the pull
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

// envelope is OKX's wrapper around every answer; code is a string.
type envelope struct {
	Code string `json:"code"`
	Msg  string `json:"msg"`
	// Data points at the caller's list, so the answer is parsed in one
	// pass.
	Data any `json:"data"`
}

// get fetches path with query and decodes the envelope's data list into
// out. An empty list is an ErrEmpty error, because every list read here
// has items whenever OKX is healthy.
func (c *Collector) get(ctx context.Context, path string, query url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.BaseURL+path+"?"+query.Encode(), nil)
	if err != nil {
		return &collectors.Error{Kind: collectors.ErrInternal, Path: path, Err: err}
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return collectors.RequestError(c.client, path, err)
	}
	defer resp.Body.Close()
	body, err := collectors.ReadBody(resp)
	if err != nil {
		return collectors.WithPath(path, &collectors.Error{Kind: collectors.ErrTruncated, Status: resp.StatusCode, Msg: "the response ended early", Err: err})
	}
	env := envelope{Data: out}
	decodeErr := collectors.DecodeJSON(body, &env)
	if env.Code == "" && decodeErr != nil {
		return collectors.WithPath(path, decodeErr)
	}
	if env.Code == "" {
		return &collectors.Error{Kind: collectors.ErrMalformed, Status: resp.StatusCode, Path: path, Msg: "no code field: not an OKX v5 answer"}
	}
	if env.Code != "0" {
		kind := collectors.ErrAPI
		if env.Code == codeRateLimited {
			kind = collectors.ErrRateLimited
		}
		return &collectors.Error{Kind: kind, Status: resp.StatusCode, Path: path, Msg: fmt.Sprintf("code %s: %s", env.Code, env.Msg)}
	}
	if decodeErr != nil {
		return collectors.WithPath(path, decodeErr)
	}
	if env.Data == nil || emptyList(out) {
		return &collectors.Error{Kind: collectors.ErrEmpty, Status: resp.StatusCode, Path: path, Msg: "the exchange sent an empty list"}
	}
	return nil
}

// emptyList reports whether out, a pointer to the decoded list, holds
// nothing.
func emptyList(out any) bool {
	v := reflect.ValueOf(out)
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	return (v.Kind() == reflect.Slice || v.Kind() == reflect.Array) && v.Len() == 0
}

// observed is the exchange's timestamp, else our fetch time.
func (c *Collector) observed(ts time.Time) time.Time {
	if ts.IsZero() {
		return c.now().UTC()
	}
	return ts
}
