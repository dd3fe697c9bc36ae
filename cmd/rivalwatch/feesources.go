package main

import (
	"context"
	"net/http"
	"net/url"
	"os"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/fees"
	"github.com/rivalwatch/rivalwatch/collectors/pages"
	"github.com/rivalwatch/rivalwatch/configs"
)

// feePages are the fee pages of the config: the built-in ones (unless
// fees.use_builtin_pages is off), each replaced by a configured page for
// the same exchange and product, then the other configured pages.
func feePages(cfg configs.Fees) []fees.PageSpec {
	configured := map[string]bool{}
	for _, p := range cfg.Pages {
		configured[p.Exchange+" "+p.Product] = true
	}
	var out []fees.PageSpec
	if cfg.UseBuiltinPages {
		for _, p := range fees.DefaultPages() {
			if !configured[p.Exchange+" "+p.Product] {
				out = append(out, p)
			}
		}
	}
	for _, p := range cfg.Pages {
		out = append(out, fees.PageSpec{Exchange: p.Exchange, Product: p.Product, URL: p.URL, Selector: p.Selector,
			Render: p.Render, WaitSelector: p.WaitSelector, Columns: fees.ColumnMap{Tier: p.Columns.Tier,
				Volume30d: p.Columns.Volume30d, Balance: p.Columns.Balance, Maker: p.Columns.Maker, Taker: p.Columns.Taker}})
	}
	return out
}

// feeSources builds one exchange's fee sources: its pages, fetched through
// client with the pages section's politeness, and its manual entries. The
// account endpoint is the exchange collector's, from its credentials.
func feeSources(cfg configs.Config, exchange string, client *http.Client) fees.Sources {
	src := fees.Sources{
		Exchange: exchange,
		Fetcher: pages.New(client, pages.Options{UserAgent: cfg.PageUserAgent(), Delay: cfg.Pages.Delay,
			Parallelism: cfg.Pages.Parallelism, MaxBodyBytes: int64(cfg.HTTP.MaxBodyMB) << 20}),
		Browser: pages.BrowserOptions{UserAgent: cfg.PageUserAgent(), MaxBodyBytes: int64(cfg.HTTP.MaxBodyMB) << 20},
	}
	for _, p := range feePages(cfg.Fees) {
		if p.Exchange == exchange {
			src.Pages = append(src.Pages, p)
		}
	}
	for _, m := range cfg.Fees.Manual {
		if m.Exchange == exchange {
			src.Manual = append(src.Manual, fees.Manual{Exchange: m.Exchange, Product: m.Product, Tier: m.Tier,
				Maker: m.Maker, Taker: m.Taker, Min30dVolumeUSD: m.Min30dVolumeUSD, MinBalanceUSD: m.MinBalanceUSD})
		}
	}
	return src
}

// secrets reads an exchange's credentials from the environment. A
// variable that is not set fails that exchange's fees pull, with the
// variable's name, rather than the whole command: the other kinds and
// exchanges still run.
func secrets(src *fees.Sources, read func(func(string) (string, bool)) (configs.Secrets, error)) configs.Secrets {
	s, err := read(os.LookupEnv)
	if err != nil {
		msg := "credentials: " + err.Error()
		src.API = func(context.Context) ([]collectors.Fee, error) {
			return nil, &collectors.Error{Kind: collectors.ErrInternal, Msg: msg}
		}
	}
	return s
}

// pageClient is the HTTP client of one exchange's web pages: the same
// transport as its API, without the API's request budget (pages.delay and
// pages.parallelism pace the websites).
func pageClient(cfg configs.Config, hooks *transportHooks) *http.Client {
	opts := collectors.TransportOptions{
		UserAgent:    cfg.PageUserAgent(),
		MaxBodyBytes: int64(cfg.HTTP.MaxBodyMB) << 20,
		Retries:      cfg.HTTP.Retries,
		MaxRetryWait: cfg.HTTP.MaxRetryWait,
	}
	if hooks != nil && hooks.base != nil {
		opts.Base = hooks.base()
	}
	return collectors.NewHTTPClient(cfg.HTTP.Timeout, opts)
}

// pointFeePagesAt moves the configured fee pages to base, keeping their
// paths: the demo serves its recorded pages on its own port.
func pointFeePagesAt(cfg *configs.Config, base string) {
	b, err := url.Parse(base)
	if err != nil {
		return
	}
	for i := range cfg.Fees.Pages {
		if u, err := url.Parse(cfg.Fees.Pages[i].URL); err == nil {
			u.Scheme, u.Host = b.Scheme, b.Host
			cfg.Fees.Pages[i].URL = u.String()
		}
	}
}
