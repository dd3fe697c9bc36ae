package configs

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"strconv"
	"time"

	"github.com/rivalwatch/rivalwatch/diff"
)

// validate checks every value against its meaning, one function per
// section; each problem names its key and line.
func (c Config) validate(d *document) error {
	return errors.Join(
		validateGeneral(c, d),
		validateHTTP(c.HTTP, d),
		validateCollect(c.Collect, d),
		validateExchanges(c.Exchanges, d),
		validatePages(c.Pages, d),
		validateFees(c.Fees, d),
		validateDiff(c.Diff, d),
		validateAlerts(c.Alerts, d),
		validateServe(c.Serve, d),
		validateSchedule(c.Schedule, d),
		validateStreams(c.Streams, d),
		validateRetention(c.Retention, d),
		d.adopt("house", c.House.Validate()),
		validateCampaigns(c.Campaigns, d),
	)
}

func validateGeneral(c Config, d *document) error {
	if c.Database == "" {
		return d.at("database", "must name a file")
	}
	return nil
}

func validateHTTP(h HTTP, d *document) error {
	var errs []error
	if h.Timeout <= 0 {
		errs = append(errs, d.at("http.timeout", "must be positive, got %s", h.Timeout))
	}
	if h.Retries < 0 || h.Retries > 10 {
		errs = append(errs, d.at("http.retries", "must be 0 to 10, got %d", h.Retries))
	}
	if h.MaxRetryWait < 0 {
		errs = append(errs, d.at("http.max_retry_wait", "must not be negative"))
	}
	if h.MaxBodyMB <= 0 {
		errs = append(errs, d.at("http.max_body_mb", "must be positive, got %d", h.MaxBodyMB))
	}
	return errors.Join(errs...)
}

// kindNames are the kinds a sweep can pull. They live here until the
// collectors know the new kinds; then collectors.ParseKind takes over.
var kindNames = []string{"instruments", "funding", "market", "announcements", "fees", "yield"}

func validateCollect(c Collect, d *document) error {
	var errs []error
	if len(c.Kinds) == 0 {
		errs = append(errs, d.at("collect.kinds", "must list at least one of %s", orList(kindNames)))
	}
	seen := map[string]bool{}
	for i, k := range c.Kinds {
		key := fmt.Sprintf("collect.kinds[%d]", i)
		switch {
		case !slices.Contains(kindNames, k):
			errs = append(errs, d.at(key, "unknown kind %q (want %s)", k, orList(kindNames)))
		case seen[k]:
			errs = append(errs, d.at(key, "%s is listed twice", k))
		}
		seen[k] = true
	}
	if c.MinCountRatio <= 0 || c.MinCountRatio > 1 {
		errs = append(errs, d.at("collect.min_count_ratio", "must be above 0 and at most 1, got %g", c.MinCountRatio))
	}
	return errors.Join(errs...)
}

func validatePages(p Pages, d *document) error {
	var errs []error
	if p.Delay < 0 {
		errs = append(errs, d.at("pages.delay", "must not be negative, got %s", p.Delay))
	}
	if p.Parallelism < 1 || p.Parallelism > 16 {
		errs = append(errs, d.at("pages.parallelism", "must be 1 to 16 pages at once per site, got %d", p.Parallelism))
	}
	return errors.Join(errs...)
}

func validateDiff(c Diff, d *document) error {
	var errs []error
	if c.DelistAfter < 1 {
		errs = append(errs, d.at("diff.delist_after", "must be at least 1, got %d", c.DelistAfter))
	}
	if c.MassDelistShare <= 0 || c.MassDelistShare > 1 {
		errs = append(errs, d.at("diff.mass_delist_share", "must be above 0 and at most 1 (0.2 = a fifth of the listing), got %g", c.MassDelistShare))
	}
	if c.MassDelistCount < 1 {
		errs = append(errs, d.at("diff.mass_delist_count", "must be at least 1, got %d", c.MassDelistCount))
	}
	if c.MassDelistAfter < c.DelistAfter {
		errs = append(errs, d.at("diff.mass_delist_after", "must be at least delist_after (%d), got %d", c.DelistAfter, c.MassDelistAfter))
	}
	if c.ExtremeAnnualized <= 0 {
		errs = append(errs, d.at("diff.extreme_annualized", "must be above 0 (1.0 = 100 %%/yr), got %g", c.ExtremeAnnualized))
	}
	if c.DivergenceAnnualized <= 0 {
		errs = append(errs, d.at("diff.divergence_annualized", "must be above 0 (0.5 = 50 %%/yr), got %g", c.DivergenceAnnualized))
	}
	if c.SpikeFactor <= 1 {
		errs = append(errs, d.at("diff.spike_factor", "must be above 1 (times the median), got %g", c.SpikeFactor))
	}
	if c.SpikeMinUSD < 0 {
		errs = append(errs, d.at("diff.spike_min_usd", "must not be negative"))
	}
	if c.SpikeMinPoints < 1 {
		errs = append(errs, d.at("diff.spike_min_points", "must be at least 1"))
	}
	if c.YieldAPRChange <= 0 || c.YieldAPRChange >= 1 {
		errs = append(errs, d.at("diff.yield_apr_change", "must be above 0 and below 1 (0.01 = a move of 1 APR point), got %g", c.YieldAPRChange))
	}
	if c.PromoEndingWithin <= 0 {
		errs = append(errs, d.at("diff.promo_ending_within", "must be positive, got %s", c.PromoEndingWithin))
	}
	for _, t := range slices.Sorted(maps.Keys(c.Severities)) {
		key := "diff.severities." + t
		if !knownType(t) {
			errs = append(errs, d.at(key, "unknown change type"))
		}
		if diff.Severity(c.Severities[t]).Rank() == 0 {
			errs = append(errs, d.at(key, "must be high, medium or low, got %q", c.Severities[t]))
		}
	}
	for i, ig := range c.Ignore {
		at := fmt.Sprintf("diff.ignore[%d]", i)
		if ig.Type != "" && !knownType(ig.Type) {
			errs = append(errs, d.at(at+".type", "unknown change type %q", ig.Type))
		}
		if ig.Exchange != "" {
			errs = append(errs, d.checkOneOf(at+".exchange", ig.Exchange, exchangeNames...))
		}
		errs = append(errs, d.checkGlob(at+".symbol", ig.Symbol))
		if ig.Exchange == "" && ig.Symbol == "" && ig.Type == "" {
			errs = append(errs, d.at(at, "matches everything; set exchange, symbol or type"))
		}
	}
	return errors.Join(errs...)
}

func knownType(t string) bool { return slices.Contains(diff.Types, diff.Type(t)) }

func validateServe(s Serve, d *document) error {
	var errs []error
	host, port, err := net.SplitHostPort(s.Listen)
	if err != nil {
		errs = append(errs, d.at("serve.listen", "must be host:port such as 127.0.0.1:8080, got %q", s.Listen))
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		errs = append(errs, d.at("serve.listen", "port %q is not between 0 and 65535 (0 picks a free one)", port))
	} else if host != "" && net.ParseIP(host) == nil && host != "localhost" {
		errs = append(errs, d.at("serve.listen", "host %q must be an IP address, localhost or empty for every interface", host))
	}
	if s.ReportsDir == "" {
		errs = append(errs, d.at("serve.reports_dir", "must name a directory"))
	}
	if s.Grace < 0 {
		errs = append(errs, d.at("serve.grace", "must not be negative, got %s", s.Grace))
	}
	return errors.Join(errs...)
}

func validateStreams(s Streams, d *document) error {
	if s.Resolution < time.Second {
		return d.at("streams.resolution", "must be at least 1s, got %s", s.Resolution)
	}
	return nil
}

func validateRetention(r Retention, d *document) error {
	if r.Raw < time.Hour {
		return d.at("retention.raw", "must be at least 1h, got %s", r.Raw)
	}
	return nil
}

func validateCampaigns(c Campaigns, d *document) error {
	if c.WashTradingShare < 0 || c.WashTradingShare >= 1 {
		return d.at("campaigns.wash_trading_share", "must be 0 or more and below 1 (0.3 discounts 30 %% of a campaign's volume), got %g", c.WashTradingShare)
	}
	return nil
}
