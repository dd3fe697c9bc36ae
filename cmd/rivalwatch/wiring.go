package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/binance"
	"github.com/rivalwatch/rivalwatch/collectors/bybit"
	"github.com/rivalwatch/rivalwatch/collectors/okx"
	"github.com/rivalwatch/rivalwatch/configs"
	"github.com/rivalwatch/rivalwatch/store"
)

// exchangeNames lists the rivals in display order.
var exchangeNames = []string{"binance", "bybit", "okx"}

func loadConfig(c commonFlags) (configs.Config, error) {
	cfg, err := configs.Load(c.config)
	if err != nil {
		return cfg, err
	}
	if c.db != "" {
		cfg.Database = c.db
	}
	return cfg, nil
}

// openStore opens the configured database for writing.
func openStore(ctx context.Context, cfg configs.Config, now func() time.Time) (*store.Store, error) {
	return store.Open(ctx, cfg.Database, store.Options{MinCountRatio: cfg.Collect.MinCountRatio, Now: now})
}

// buildCollectors wires one collector per enabled exchange (only the named
// one when only is set), each with its own HTTP client so rate limits and
// Retry-After cool-downs stay per exchange. base, when set, sits under each
// transport (the recorder uses it).
func buildCollectors(cfg configs.Config, only string, base func() http.RoundTripper) ([]collectors.Collector, error) {
	if only != "" && !slices.Contains(exchangeNames, only) {
		return nil, fmt.Errorf("%w: unknown exchange %q (want binance, bybit or okx)", errUsage, only)
	}
	client := func(l configs.Limits) *http.Client {
		opts := collectors.TransportOptions{
			UserAgent:    cfg.UserAgent,
			MaxBodyBytes: int64(cfg.HTTP.MaxBodyMB) << 20,
			Retries:      cfg.HTTP.Retries,
			MaxRetryWait: cfg.HTTP.MaxRetryWait,
			RatePerSec:   l.RequestsPerSecond,
			Burst:        l.Burst,
		}
		if base != nil {
			opts.Base = base()
		}
		return collectors.NewHTTPClient(cfg.HTTP.Timeout, opts)
	}
	want := func(name string, enabled bool) bool { return (only == "" && enabled) || only == name }
	var cs []collectors.Collector
	ex := cfg.Exchanges
	if want("binance", ex.Binance.Enabled) {
		cs = append(cs, binance.NewCollector(binance.Config{
			FuturesURL: ex.Binance.REST.USDM, DeliveryURL: ex.Binance.REST.COINM,
			OpenInterestTop: ex.Binance.OpenInterestTop, Concurrency: ex.Binance.Concurrency,
		}, client(ex.Binance.Limits)))
	}
	if want("bybit", ex.Bybit.Enabled) {
		cs = append(cs, bybit.NewCollector(bybit.Config{BaseURL: ex.Bybit.REST.V5, PageLimit: ex.Bybit.PageLimit}, client(ex.Bybit.Limits)))
	}
	if want("okx", ex.OKX.Enabled) {
		cs = append(cs, okx.NewCollector(okx.Config{BaseURL: ex.OKX.REST.V5, Concurrency: ex.OKX.Concurrency}, client(ex.OKX.Limits)))
	}
	return cs, nil
}

// pointAt rewrites every REST base URL to one address (a replay server).
func pointAt(cfg *configs.Config, base string) {
	ex := &cfg.Exchanges
	ex.Binance.REST.USDM, ex.Binance.REST.COINM = base, base
	ex.Bybit.REST.V5 = base
	ex.OKX.REST.V5 = base
}

// clock is the time source; tests fix it.
var clock = time.Now
