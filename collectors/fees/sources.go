package fees

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/pages"
)

// Sources are where one exchange's fee rows come from: its fee pages, its
// authenticated endpoint (when we hold a key) and the manual entries of
// the config. Fees reads them all at once.
//
// The snapshot is all or nothing. Every source is tried, whatever the
// others do, and every failure is reported with its reason; but if any
// source failed, Fees returns no rows. A schedule with one page missing
// would read as every tier of that page removed, so a partly available
// source set is an incomplete pull, never a smaller snapshot.
type Sources struct {
	Exchange string
	Pages    []PageSpec
	Manual   []Manual
	// Fetcher fetches plain pages; Browser configures the rendering of
	// pages with Render "browser".
	Fetcher *pages.Fetcher
	Browser pages.BrowserOptions
	// API reads our account's fee rows; nil when no key is configured.
	API func(ctx context.Context) ([]collectors.Fee, error)
	Now func() time.Time
}

// WithAccount names the exchange and, when we hold its key (keyed) and no
// credential problem has taken API's place already, reads our account's
// rows with account.
func (s Sources) WithAccount(exchange string, keyed bool, account func(context.Context) ([]collectors.Fee, error)) Sources {
	s.Exchange = exchange
	if s.API == nil && keyed {
		s.API = account
	}
	return s
}

// Configured reports whether there is anything to read.
func (s Sources) Configured() bool {
	return len(s.Pages) > 0 || len(s.Manual) > 0 || s.API != nil
}

// Fees reads every source and returns their rows, or an error naming each
// source that failed and no rows.
func (s Sources) Fees(ctx context.Context) ([]collectors.Fee, error) {
	if !s.Configured() {
		return nil, &collectors.Error{Kind: collectors.ErrEmpty,
			Msg: "no fee source configured for " + s.Exchange + " (fees.pages, fees.manual or credentials)"}
	}
	now := s.Now
	if now == nil {
		now = time.Now
	}
	observed := now().UTC()
	results := make([][]collectors.Fee, len(s.Pages)+1)
	errs := make([]error, len(s.Pages)+1)
	var wg sync.WaitGroup
	for i, spec := range s.Pages {
		wg.Go(func() { results[i], errs[i] = s.page(ctx, spec, observed) })
	}
	if s.API != nil {
		wg.Go(func() {
			rows, err := s.API(ctx)
			if err != nil {
				errs[len(s.Pages)] = fmt.Errorf("%s account fees: %w", s.Exchange, err)
				return
			}
			results[len(s.Pages)], errs[len(s.Pages)] = rows, plausible(rows)
		})
	}
	wg.Wait()
	if err := joinErrors(errs); err != nil {
		return nil, err
	}
	var out []collectors.Fee
	for _, rows := range results {
		out = append(out, rows...)
	}
	for _, m := range s.Manual {
		out = append(out, m.Fee(observed))
	}
	seen := map[string]bool{}
	for _, f := range out {
		if seen[f.Key()] {
			return nil, &collectors.Error{Kind: collectors.ErrMalformed,
				Msg: fmt.Sprintf("%s %s tier %q symbol %q comes twice from the %s source", f.Exchange, f.Product, f.Tier, f.Symbol, f.Source)}
		}
		seen[f.Key()] = true
	}
	return out, nil
}

// page reads one fee table. A page several specs read (OKX's one page for
// three products) is fetched once per sweep.
func (s Sources) page(ctx context.Context, spec PageSpec, observed time.Time) ([]collectors.Fee, error) {
	html, err := collectors.Shared(ctx, "fee page "+spec.Render+" "+spec.URL, func(ctx context.Context) ([]byte, error) {
		if spec.Render == RenderBrowser {
			opts := s.Browser
			opts.WaitSelector = spec.WaitSelector
			if opts.WaitSelector == "" {
				opts.WaitSelector = spec.Selector
			}
			return pages.Render(ctx, spec.URL, opts)
		}
		if s.Fetcher == nil {
			return nil, &collectors.Error{Kind: collectors.ErrInternal, Msg: "no page fetcher configured"}
		}
		return s.Fetcher.Fetch(ctx, spec.URL)
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", spec.Name(), err)
	}
	return ParseTable(html, spec, observed)
}

// plausible checks rows from an endpoint as ParseTable checks a page: a
// rate beyond 1% means a field was misread.
func plausible(rows []collectors.Fee) error {
	for _, f := range rows {
		for _, r := range []struct {
			side string
			v    float64
		}{{"maker", f.MakerRate}, {"taker", f.TakerRate}} {
			if math.IsNaN(r.v) || math.Abs(r.v) > maxRate {
				return &collectors.Error{Kind: collectors.ErrImplausible,
					Msg: fmt.Sprintf("%s account fees: %s %s rate %g is beyond ±1%%", f.Exchange, f.Symbol, r.side, r.v)}
			}
		}
	}
	return nil
}

// joinErrors joins the failures on one line, "; " between them, keeping
// each *collectors.Error reachable (errors.As finds the first, so the
// run's error kind is the first failed source's).
func joinErrors(errs []error) error {
	var kept []any
	for _, err := range errs {
		if err != nil {
			kept = append(kept, err)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return fmt.Errorf(strings.TrimSuffix(strings.Repeat("%w; ", len(kept)), "; "), kept...)
}

// Tracked picks the instruments whose account fees are read: trading
// perpetuals, only those whose unified symbol is in only when only is not
// empty. Binance and OKX charge a request per symbol, so the house's own
// symbols (the overlap a countermeasure is about) keep a sweep to a few
// requests instead of hundreds.
func Tracked(instruments []collectors.Instrument, only []string) []collectors.Instrument {
	keep := map[string]bool{}
	for _, u := range only {
		keep[u] = true
	}
	var out []collectors.Instrument
	for _, in := range instruments {
		if in.ContractType != collectors.Perpetual || in.Status != collectors.StatusTrading {
			continue
		}
		if len(keep) > 0 && !keep[in.Unified] {
			continue
		}
		out = append(out, in)
	}
	return out
}
