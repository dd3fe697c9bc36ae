package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/rivalwatch/rivalwatch/cmd/rivalwatch/internal/pipeline"
	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/binance"
	"github.com/rivalwatch/rivalwatch/collectors/bybit"
	"github.com/rivalwatch/rivalwatch/collectors/okx"
	"github.com/rivalwatch/rivalwatch/configs"
	"github.com/rivalwatch/rivalwatch/reports"
	"github.com/rivalwatch/rivalwatch/store"
)

// exchangeNames lists the rivals in display order.
var exchangeNames = []string{"binance", "bybit", "okx"}

// enabledExchanges are the rivals the config collects, in display order:
// the peers of cross-exchange events.
func enabledExchanges(cfg configs.Config) []string {
	ex := cfg.Exchanges
	var out []string
	for _, e := range []struct {
		name string
		on   bool
	}{{"binance", ex.Binance.Enabled}, {"bybit", ex.Bybit.Enabled}, {"okx", ex.OKX.Enabled}} {
		if e.on {
			out = append(out, e.name)
		}
	}
	return out
}

// Main holds the components one command builds from its config and
// closes them in reverse order, in the style of benbjohnson/wtf's cmd.
type Main struct {
	env
	Config configs.Config
	Store  *store.Store

	closers []func() error
}

// openMain loads the config (with --db applied) and, unless access is
// noStore, opens the database: writable for collecting, read-only for
// reading.
func openMain(ctx context.Context, e env, c commonFlags, access storeAccess) (*Main, error) {
	cfg, err := loadConfig(c)
	if err != nil {
		return nil, err
	}
	return startMain(ctx, e, cfg, access)
}

// startMain builds the components of an already loaded config.
func startMain(ctx context.Context, e env, cfg configs.Config, access storeAccess) (*Main, error) {
	m := &Main{env: e, Config: cfg}
	var err error
	switch access {
	case writable, existing:
		m.Store, err = store.Open(ctx, cfg.Database, store.Options{MinCountRatio: cfg.Collect.MinCountRatio, Now: e.now,
			MustExist: access == existing})
	case readOnly:
		m.Store, err = store.OpenReadOnly(ctx, cfg.Database)
	}
	if err != nil {
		return nil, err
	}
	if m.Store != nil {
		m.closers = append(m.closers, m.Store.Close)
	}
	return m, nil
}

// storeAccess says how a command opens the database.
type storeAccess int

const (
	noStore  storeAccess = iota
	writable             // may create the database (collect, demo)
	existing             // writes to a database that must exist (diff)
	readOnly
)

// Close closes every component, the last opened first.
func (m *Main) Close() error {
	var errs []error
	for i := len(m.closers) - 1; i >= 0; i-- {
		errs = append(errs, m.closers[i]())
	}
	return errors.Join(errs...)
}

// detector builds the change detector of this config.
func (m *Main) detector() *pipeline.Detector {
	d := pipeline.NewDetector(m.Store, m.Config.DiffConfig(), enabledExchanges(m.Config))
	d.Route = route(m.Config.Alerts)
	return d
}

// digest builds one UTC day's digest from the database.
func (m *Main) digest(ctx context.Context, st pipeline.Reader, day time.Time) (reports.Digest, error) {
	base := reports.Input{GeneratedAt: m.now().UTC(), House: m.Config.House, Playbook: m.Config.Playbook,
		WashTradingShare: m.Config.Campaigns.WashTradingShare,
		StaleAfter:       m.Config.Schedule.StaleAfter(enabledExchanges(m.Config), m.Config.Collect.Kinds, reports.DefaultStaleAfter)}
	in, err := pipeline.DigestInput(ctx, st, base, enabledExchanges(m.Config), day)
	if err != nil {
		return reports.Digest{}, err
	}
	return reports.Build(in), nil
}

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

// transportHooks sit in every exchange's transport: base under it (the
// recorder), onHold hearing of the holds an exchange asks for.
type transportHooks struct {
	base   func() http.RoundTripper
	onHold func(exchange string, until time.Time, e *collectors.Error)
}

// persistHolds records every hold an exchange asks for in the database, so
// that the next command honours it too.
func persistHolds(st *store.Store, log *slog.Logger) *transportHooks {
	return &transportHooks{onHold: func(exchange string, until time.Time, e *collectors.Error) {
		h := store.Hold{Exchange: exchange, Until: until, ErrorKind: string(e.Kind), Status: e.Status, Reason: e.Msg}
		if err := st.SaveHold(context.Background(), h); err != nil {
			log.Warn("rate-limit hold not saved", "exchange", exchange, "err", err)
		}
	}}
}

// buildCollectors wires one collector per enabled exchange (only the named
// one when only is set), each with its own HTTP client so rate limits and
// Retry-After cool-downs stay per exchange. base, when set, sits under each
// transport (the recorder uses it, and collect persists rate-limit holds).
// known, when set, holds the stored announcements, so articles already
// stored are not fetched again.
func buildCollectors(cfg configs.Config, only string, hooks *transportHooks, known collectors.KnownArticles) ([]collectors.Collector, error) {
	if only != "" && !slices.Contains(exchangeNames, only) {
		return nil, fmt.Errorf("%w: unknown exchange %q (want binance, bybit or okx)", errUsage, only)
	}
	client := func(exchange string, l configs.Limits) *http.Client {
		opts := collectors.TransportOptions{
			UserAgent:    cfg.UserAgent,
			MaxBodyBytes: int64(cfg.HTTP.MaxBodyMB) << 20,
			Retries:      cfg.HTTP.Retries,
			MaxRetryWait: cfg.HTTP.MaxRetryWait,
			RatePerSec:   l.RequestsPerSecond,
			Burst:        l.Burst,
		}
		if hooks != nil && hooks.base != nil {
			opts.Base = hooks.base()
		}
		if hooks != nil && hooks.onHold != nil {
			opts.OnHold = func(until time.Time, e *collectors.Error) { hooks.onHold(exchange, until, e) }
		}
		return collectors.NewHTTPClient(cfg.HTTP.Timeout, opts)
	}
	want := func(name string, enabled bool) bool { return (only == "" && enabled) || only == name }
	var cs []collectors.Collector
	ex := cfg.Exchanges
	if want("binance", ex.Binance.Enabled) {
		src := feeSources(cfg, "binance", pageClient(cfg, hooks))
		keys := secrets(&src, ex.Binance.Credentials.Read)
		hc := client("binance", ex.Binance.Limits)
		cs = append(cs, binance.NewCollector(binance.Config{
			FuturesURL: ex.Binance.REST.USDM, DeliveryURL: ex.Binance.REST.COINM,
			OpenInterestTop: ex.Binance.OpenInterestTop, Concurrency: ex.Binance.Concurrency,
			Fees: src, Credentials: binance.Credentials{Key: keys.Key, Secret: keys.Secret}, FeeSymbols: cfg.House.Symbols,
		}, hc).WithAnnouncements(binanceAnnouncements(cfg), announcementSources(cfg, hc, known)))
	}
	if want("bybit", ex.Bybit.Enabled) {
		src := feeSources(cfg, "bybit", pageClient(cfg, hooks))
		keys := secrets(&src, ex.Bybit.Credentials.Read)
		hc := client("bybit", ex.Bybit.Limits)
		cs = append(cs, bybit.NewCollector(bybit.Config{BaseURL: ex.Bybit.REST.V5, PageLimit: ex.Bybit.PageLimit,
			Fees: src, Credentials: bybit.Credentials{Key: keys.Key, Secret: keys.Secret}, FeeSymbols: cfg.House.Symbols,
		}, hc).WithAnnouncements(bybitAnnouncements(cfg), announcementSources(cfg, hc, known)))
	}
	if want("okx", ex.OKX.Enabled) {
		src := feeSources(cfg, "okx", pageClient(cfg, hooks))
		keys := secrets(&src, ex.OKX.Credentials.Read)
		hc := client("okx", ex.OKX.Limits)
		cs = append(cs, okx.NewCollector(okx.Config{BaseURL: ex.OKX.REST.V5, Concurrency: ex.OKX.Concurrency,
			Fees: src, Credentials: okx.Credentials{Key: keys.Key, Secret: keys.Secret, Passphrase: keys.Passphrase},
			FeeSymbols: cfg.House.Symbols,
		}, hc).WithAnnouncements(okxAnnouncements(cfg), announcementSources(cfg, hc, known)))
	}
	return cs, nil
}

// pointAt rewrites every REST base URL, the Binance web base and the
// article page bases to one address (a replay server).
func pointAt(cfg *configs.Config, base string) {
	ex := &cfg.Exchanges
	ex.Binance.REST.USDM, ex.Binance.REST.COINM = base, base
	ex.Bybit.REST.V5 = base
	ex.OKX.REST.V5 = base
	pointFeePagesAt(cfg, base)
	ex.Binance.REST.Web, ex.Bybit.REST.Articles, ex.OKX.REST.Articles = base, base, base
}
