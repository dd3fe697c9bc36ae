package diff

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
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
	// Severities overrides the default severity of every event of a type,
	// listing.param's delivery_at included.
	Severities map[Type]Severity
	// Ignore drops matching events before they are returned.
	Ignore []Ignore
}

// Ignore is one rule that drops events; an empty field matches anything, so
// {Symbol: "*USDC*"} drops every event about a USDC contract.
type Ignore struct {
	// Exchange matches the event's exchange; for funding.divergence, whose
	// exchange reads "binance vs okx", it matches either side.
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
		ExtremeAnnualized:    1.0,
		DivergenceAnnualized: 0.5,
		SpikeFactor:          3,
		SpikeMinPoints:       12,
		SpikeMinUSD:          1_000_000,
	}
}

// allTypes lists the types this package emits, for validation.
var allTypes = []Type{
	ListingNew, ListingPrelaunch, ListingDelisted, ListingStatus, ListingParam,
	FundingInterval, FundingCap, FundingExtreme, FundingDivergence,
	MarketVolumeSpike, MarketOISpike,
}

// Validate reports every problem in c at once, so a person fixing a config
// file sees them all in one go.
func (c Config) Validate() error {
	var errs []error
	if c.DelistAfter < 1 {
		errs = append(errs, fmt.Errorf("DelistAfter must be at least 1 snapshot, got %d", c.DelistAfter))
	}
	if c.ExtremeAnnualized <= 0 {
		errs = append(errs, fmt.Errorf("ExtremeAnnualized must be above 0 (1.0 = 100%%/yr), got %g", c.ExtremeAnnualized))
	}
	if c.DivergenceAnnualized <= 0 {
		errs = append(errs, fmt.Errorf("DivergenceAnnualized must be above 0 (0.5 = 50%%/yr), got %g", c.DivergenceAnnualized))
	}
	if c.SpikeFactor <= 1 {
		errs = append(errs, fmt.Errorf("SpikeFactor must be above 1 (times the median), got %g", c.SpikeFactor))
	}
	if c.SpikeMinPoints < 1 {
		errs = append(errs, fmt.Errorf("SpikeMinPoints must be at least 1 observation, got %d", c.SpikeMinPoints))
	}
	if c.SpikeMinUSD < 0 {
		errs = append(errs, fmt.Errorf("SpikeMinUSD must not be negative, got %g USD", c.SpikeMinUSD))
	}
	for t, s := range c.Severities {
		if !slices.Contains(allTypes, t) {
			errs = append(errs, fmt.Errorf("severity for unknown change type %q", t))
		}
		if s.Rank() == 0 {
			errs = append(errs, fmt.Errorf("severity %q for %s is not high, medium or low", s, t))
		}
	}
	for i, ig := range c.Ignore {
		if err := ig.validate(); err != nil {
			errs = append(errs, fmt.Errorf("ignore rule %d: %w", i+1, err))
		}
	}
	return errors.Join(errs...)
}

func (ig Ignore) validate() error {
	if ig == (Ignore{}) {
		return errors.New("empty rule would drop every change; give an exchange, symbol or type")
	}
	if ig.Type != "" && !slices.Contains(allTypes, ig.Type) {
		return fmt.Errorf("unknown change type %q", ig.Type)
	}
	if _, err := path.Match(ig.Symbol, ""); err != nil {
		return fmt.Errorf("bad symbol pattern %q: %w", ig.Symbol, err)
	}
	return nil
}

// withDefaults replaces unusable thresholds by the defaults; see Config.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.DelistAfter < 1 {
		c.DelistAfter = d.DelistAfter
	}
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
	return c
}

// severity is the configured severity of an event, else its default.
func (c Config) severity(t Type, field string) Severity {
	if s, ok := c.Severities[t]; ok {
		return s
	}
	switch t {
	case ListingNew, ListingDelisted, FundingInterval:
		return High
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
	if ig.Exchange != "" && !slices.ContainsFunc(strings.Split(c.Exchange, divergenceSep), func(e string) bool {
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
