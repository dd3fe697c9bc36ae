// Package binance collects Binance's public futures data: USDⓈ-M (/fapi)
// and COIN-M (/dapi) listings, funding and 24h market stats, through our
// own HTTP client, so that every failure reaches the run as a typed
// *collectors.Error. The public answers are decoded into lean structs of
// our own: go-binance's decode every field with encoding/json, which was
// the largest share of a sweep's CPU. go-binance only signs the account's
// fee requests (fees.go).
package binance

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/fees"
)

// Config is where and how much to pull.
type Config struct {
	FuturesURL  string // USDⓈ-M REST base, e.g. https://fapi.binance.com
	DeliveryURL string // COIN-M REST base, e.g. https://dapi.binance.com
	// OpenInterestTop is how many USDⓈ-M perpetuals, the largest by 24h
	// quote volume, get their open interest fetched: Binance has no bulk
	// open-interest endpoint, so each costs a request. 0 means 50; a
	// negative value fetches none.
	OpenInterestTop int
	Concurrency     int // max concurrent per-symbol requests (default 20)
	// Fees are the fees pull's pages and manual entries; with
	// Credentials set it also reads our account's per-symbol rates for
	// the trading perpetuals in FeeSymbols (unified; empty for all).
	Fees        fees.Sources
	Credentials Credentials
	FeeSymbols  []string
}

// Defaults applied by NewCollector to zero Config fields.
const (
	DefaultFuturesURL      = "https://fapi.binance.com"
	DefaultDeliveryURL     = "https://dapi.binance.com"
	DefaultOpenInterestTop = 50
	DefaultConcurrency     = 20
)

// Collector pulls Binance; it implements collectors.Collector and keeps no
// state between pulls.
type Collector struct {
	cfg    Config
	client *http.Client
	now    func() time.Time                // fetch time, for rows without an exchange timestamp
	annCfg AnnouncementsConfig             // see WithAnnouncements
	annSrc *collectors.AnnouncementSources // nil: announcements not configured
}

var _ collectors.Collector = (*Collector)(nil)

// NewCollector builds a collector whose requests all go through client
// (built with collectors.NewHTTPClient, so that non-2xx answers and HTML
// pages become typed errors).
func NewCollector(cfg Config, client *http.Client) *Collector {
	if cfg.FuturesURL == "" {
		cfg.FuturesURL = DefaultFuturesURL
	}
	if cfg.DeliveryURL == "" {
		cfg.DeliveryURL = DefaultDeliveryURL
	}
	cfg.FuturesURL = strings.TrimRight(cfg.FuturesURL, "/")
	cfg.DeliveryURL = strings.TrimRight(cfg.DeliveryURL, "/")
	if cfg.OpenInterestTop == 0 {
		cfg.OpenInterestTop = DefaultOpenInterestTop
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	return &Collector{cfg: cfg, client: client, now: time.Now}
}

// Exchange returns "binance".
func (c *Collector) Exchange() string { return "binance" }

// Pulls is the capability table: each kind Binance publishes and the pull
// that collects it. On any failed request or unusable payload a pull
// returns no records: a partial pull must never look complete.
func (c *Collector) Pulls() collectors.Pulls {
	return collectors.Pulls{
		collectors.KindInstruments:   collectors.InstrumentsPull(c.instruments),
		collectors.KindFunding:       collectors.FundingPull(c.funding),
		collectors.KindMarket:        collectors.MarketPull(c.market),
		collectors.KindFees:          collectors.FeesPull(c.fees),
		collectors.KindAnnouncements: c.announcementsPull(),
	}
}

// wrap names the endpoint once and keeps the failure kind visible.
func wrap(endpoint string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", endpoint, collectors.Classify(err))
}

// getJSON fetches url through the collector's HTTP client, whose
// transport turns every failed answer into a *collectors.Error, and
// decodes the body into v.
func (c *Collector) getJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return &collectors.Error{Kind: collectors.ErrInternal, Err: err}
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return collectors.RequestError(c.client, req.URL.Path, err)
	}
	body, err := collectors.ReadBody(resp)
	resp.Body.Close()
	if err != nil {
		return collectors.RequestError(c.client, req.URL.Path, err)
	}
	return collectors.DecodeJSON(body, v)
}

func empty(what string) error {
	return &collectors.Error{Kind: collectors.ErrEmpty, Msg: "the exchange returned no " + what}
}

// observed is the exchange's timestamp, else our fetch time.
func (c *Collector) observed(ms int64) time.Time {
	if t := collectors.Millis(ms); !t.IsZero() {
		return t
	}
	return c.now().UTC()
}
