package diff

import (
	"path"
	"slices"
	"strings"
	"time"
)

// Config holds the thresholds, severities and ignore rules of change
// detection. Start from DefaultConfig; a zero or negative threshold (other
// than SpikeMinUSD, where zero means no floor) falls back to its default so
// that a half-filled Config can never make every symbol fire.
type Config struct {
	// DelistAfter is how many consecutive complete snapshots a symbol must
	// be missing from before it counts as delisted by disappearance; one
	// missing page of a paged API must not read as a delisting.
	DelistAfter int
	// MassDelistShare and MassDelistCount bound a normal disappearance:
	// when more symbols than the larger of MassDelistShare × the listing
	// count and MassDelistCount vanish at once, that is more likely a short
	// answer than a wave of delistings, and it takes MassDelistAfter
	// consecutive absent snapshots before any of them counts as delisted.
	// A real mass delisting is still reported, later.
	MassDelistShare float64
	MassDelistCount int
	MassDelistAfter int
	// ExtremeAnnualized is the |annualized funding| (1.0 = 100%/year) at or
	// beyond which funding.extreme fires.
	ExtremeAnnualized float64
	// DivergenceAnnualized is the spread of one coin's annualized funding
	// across exchanges (max − min) at or beyond which funding.divergence fires.
	DivergenceAnnualized float64
	// SpikeFactor is the multiple of a symbol's trailing median volume or
	// open interest above which a spike fires.
	SpikeFactor float64
	// SpikeMinPoints is how many history observations a symbol needs before
	// a spike can fire: a median of three points says nothing.
	SpikeMinPoints int
	// SpikeMinUSD ignores symbols whose new value is below it, because
	// thin markets triple their volume all the time.
	SpikeMinUSD float64
	// PromoEndingWithin is how close to its end a promotion fires
	// promo.ending.
	PromoEndingWithin time.Duration
	// YieldAPRChange is the move of a coin's best rival APR (0.01 = one
	// percentage point) at or beyond which yield.apr fires.
	YieldAPRChange float64
	// Severities overrides the default severity of every event of a type,
	// listing.param's delivery_at included.
	Severities map[Type]Severity
	// Ignore drops matching events before they are returned.
	Ignore []Ignore
}

// Ignore is one rule that drops events; an empty field matches anything, so
// {Symbol: "*USDC*"} drops every event about a USDC contract.
type Ignore struct {
	// Exchange matches the event's exchange; for a cross-exchange event
	// (funding.divergence) it matches any of its exchanges.
	Exchange string
	// Symbol is a path.Match glob tried against both the exchange's symbol
	// and the unified one. Unless the pattern contains a '/', its '*' also
	// spans the '/' of a unified symbol, so "*USDC*" matches BTC/USDC:USDC.
	Symbol string
	// Type matches the event type.
	Type Type
}

// DefaultConfig returns the thresholds the project ships with.
func DefaultConfig() Config {
	return Config{
		DelistAfter:          2,
		MassDelistShare:      0.2,
		MassDelistCount:      5,
		MassDelistAfter:      6,
		ExtremeAnnualized:    1.0,
		DivergenceAnnualized: 0.5,
		SpikeFactor:          3,
		SpikeMinPoints:       12,
		SpikeMinUSD:          1_000_000,
		PromoEndingWithin:    72 * time.Hour,
		YieldAPRChange:       0.01,
	}
}

// Types lists every type this package emits, for validating configuration.
var Types = []Type{
	ListingNew, ListingPrelaunch, ListingDelisted, ListingStatus, ListingParam,
	FundingInterval, FundingCap, FundingExtreme, FundingDivergence,
	MarketVolumeSpike, MarketOISpike,
	FeeTier, FeeSymbol,
	PromoNew, PromoEnding, ListingAnnounced, DelistingAnnounced, FundingAnnounced, ParamsAnnounced, FeeAnnounced, YieldAPR,
}

// withDefaults replaces unusable thresholds by the defaults; see Config.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.DelistAfter < 1 {
		c.DelistAfter = d.DelistAfter
	}
	if c.MassDelistShare <= 0 {
		c.MassDelistShare = d.MassDelistShare
	}
	if c.MassDelistCount < 1 {
		c.MassDelistCount = d.MassDelistCount
	}
	if c.MassDelistAfter < 1 {
		c.MassDelistAfter = d.MassDelistAfter
	}
	c.MassDelistAfter = max(c.MassDelistAfter, c.DelistAfter)
	if c.ExtremeAnnualized <= 0 {
		c.ExtremeAnnualized = d.ExtremeAnnualized
	}
	if c.DivergenceAnnualized <= 0 {
		c.DivergenceAnnualized = d.DivergenceAnnualized
	}
	if c.SpikeFactor <= 0 {
		c.SpikeFactor = d.SpikeFactor
	}
	if c.SpikeMinPoints < 1 {
		c.SpikeMinPoints = d.SpikeMinPoints
	}
	if c.PromoEndingWithin <= 0 {
		c.PromoEndingWithin = d.PromoEndingWithin
	}
	if c.YieldAPRChange <= 0 {
		c.YieldAPRChange = d.YieldAPRChange
	}
	return c
}

// ListingWindow is how many complete instruments runs Listings needs, the
// newest last.
func (c Config) ListingWindow() int {
	c = c.withDefaults()
	return max(c.DelistAfter, c.MassDelistAfter) + 1
}

// massThreshold is how many symbols may vanish from a listing of n at once
// before the disappearance needs corroboration.
func (c Config) massThreshold(n int) int {
	return max(c.MassDelistCount, int(c.MassDelistShare*float64(n)))
}

// severity is the configured severity of an event, else its default.
func (c Config) severity(t Type, field string) Severity {
	if s, ok := c.Severities[t]; ok {
		return s
	}
	switch t {
	case ListingNew, ListingDelisted, FundingInterval,
		ListingAnnounced, DelistingAnnounced, FeeAnnounced:
		return High
	case PromoEnding, ParamsAnnounced, YieldAPR:
		return Low
	case ListingParam:
		// A delivery date on a perpetual is how exchanges announce that
		// it will be delisted: as urgent as the delisting itself.
		if field == fieldDeliveryAt {
			return High
		}
		return Low
	}
	return Medium
}

// Filter returns the changes no Ignore rule matches, in their order. Every
// function of this package applies it already; it is exported for callers
// that re-read stored changes under a newer config.
func Filter(cfg Config, changes []Change) []Change {
	var out []Change
	for _, c := range changes {
		if !slices.ContainsFunc(cfg.Ignore, func(ig Ignore) bool { return ig.matches(c) }) {
			out = append(out, c)
		}
	}
	return out
}

func (ig Ignore) matches(c Change) bool {
	if ig.Type != "" && ig.Type != c.Type {
		return false
	}
	if ig.Exchange != "" && !slices.ContainsFunc(c.ExchangeList(), func(e string) bool {
		return strings.EqualFold(e, ig.Exchange)
	}) {
		return false
	}
	return ig.Symbol == "" || globMatch(ig.Symbol, c.Symbol) || globMatch(ig.Symbol, c.Unified)
}

func globMatch(pattern, name string) bool {
	if name == "" {
		return false
	}
	if !strings.Contains(pattern, "/") {
		name = strings.ReplaceAll(name, "/", "|")
	}
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}
