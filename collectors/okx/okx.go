// Package okx collects OKX v5 perpetual swaps: listings, funding and 24h
// market stats, from the public REST API, with a small typed client on
// net/http. Sizes on OKX are in contracts; they are converted to coins or
// USD with the contract value (ctVal × ctMult) where the records need money.
package okx

import (
	"bytes"
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
}

// Collector pulls OKX's public SWAP data. It is stateless between pulls.
type Collector struct {
	cfg    Config
	client *http.Client
	now    func() time.Time // fetch time, for rows without an exchange timestamp
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

// Collect implements collectors.Collector. Records are complete or the
// error says why not; an empty list is an ErrEmpty error.
func (c *Collector) Collect(ctx context.Context, kind collectors.Kind) (collectors.Records, error) {
	var recs collectors.Records
	var err error
	switch kind {
	case collectors.KindInstruments:
		recs.Instruments, err = c.instruments(ctx)
	case collectors.KindFunding:
		recs.Funding, err = c.funding(ctx)
	case collectors.KindMarket:
		recs.Market, err = c.market(ctx)
	default:
		return recs, &collectors.Error{Kind: collectors.ErrInternal, Msg: fmt.Sprintf("okx does not collect %q", kind)}
	}
	if err != nil {
		return collectors.Records{}, err
	}
	return recs, nil
}

// envelope is OKX's wrapper around every answer; code is a string.
type envelope struct {
	Code string          `json:"code"`
	Msg  string          `json:"msg"`
	Data json.RawMessage `json:"data"`
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
		return withPath(c.requestError(err), path)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return withPath(&collectors.Error{Kind: collectors.ErrTruncated, Status: resp.StatusCode, Msg: "the response ended early", Err: err}, path)
	}
	var env envelope
	if err := collectors.DecodeJSON(body, &env); err != nil {
		return withPath(err, path)
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
	if emptyList(env.Data) {
		return &collectors.Error{Kind: collectors.ErrEmpty, Status: resp.StatusCode, Path: path, Msg: "the exchange sent an empty list"}
	}
	return withPath(collectors.DecodeJSON(env.Data, out), path)
}

func emptyList(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return true
	}
	return len(t) >= 2 && t[0] == '[' && len(bytes.TrimSpace(t[1:len(t)-1])) == 0
}

// requestError unwraps the *url.Error that http.Client adds, whose text
// repeats the whole URL, and keeps the failure kind. On its own timeout the
// client flattens our *collectors.Error into text, so that case is rebuilt
// with the timeout in seconds.
func (c *Collector) requestError(err error) error {
	var e *collectors.Error
	if errors.As(err, &e) {
		return e
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() && c.client.Timeout > 0 {
			return &collectors.Error{Kind: collectors.ErrTimeout, Msg: fmt.Sprintf("no answer within %s", c.client.Timeout)}
		}
		err = ue.Err
	}
	if errors.As(collectors.Classify(err), &e) {
		return e
	}
	return &collectors.Error{Kind: collectors.ErrNetwork, Err: err}
}

func withPath(err error, path string) error {
	if err == nil {
		return nil
	}
	var e *collectors.Error
	if errors.As(err, &e) && e.Path == "" {
		e.Path = path
	}
	return err
}
