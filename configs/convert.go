package configs

import (
	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/diff"
)

// DiffConfig converts the diff section for package diff.
func (c Config) DiffConfig() diff.Config {
	d := diff.DefaultConfig()
	d.DelistAfter = c.Diff.DelistAfter
	d.MassDelistShare, d.MassDelistCount, d.MassDelistAfter = c.Diff.MassDelistShare, c.Diff.MassDelistCount, c.Diff.MassDelistAfter
	d.ExtremeAnnualized = c.Diff.ExtremeAnnualized
	d.DivergenceAnnualized = c.Diff.DivergenceAnnualized
	d.SpikeFactor = c.Diff.SpikeFactor
	d.SpikeMinPoints = c.Diff.SpikeMinPoints
	d.SpikeMinUSD = c.Diff.SpikeMinUSD
	d.PromoEndingWithin = c.Diff.PromoEndingWithin
	d.YieldAPRChange = c.Diff.YieldAPRChange
	if len(c.Diff.Severities) > 0 {
		d.Severities = make(map[diff.Type]diff.Severity, len(c.Diff.Severities))
		for t, s := range c.Diff.Severities {
			d.Severities[diff.Type(t)] = diff.Severity(s)
		}
	}
	for _, ig := range c.Diff.Ignore {
		d.Ignore = append(d.Ignore, diff.Ignore{Exchange: ig.Exchange, Symbol: ig.Symbol, Type: diff.Type(ig.Type)})
	}
	return d
}

// Kinds returns the configured kinds.
func (c Config) Kinds() []collectors.Kind {
	out := make([]collectors.Kind, 0, len(c.Collect.Kinds))
	for _, k := range c.Collect.Kinds {
		out = append(out, collectors.Kind(k))
	}
	return out
}

// PageUserAgent is the User-Agent sent for web pages: pages.user_agent, or
// the top-level one when that is empty.
func (c Config) PageUserAgent() string {
	if c.Pages.UserAgent != "" {
		return c.Pages.UserAgent
	}
	return c.UserAgent
}
