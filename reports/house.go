package reports

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// House is our own exchange's profile: the numbers every countermeasure is
// computed against, so a suggestion states what it costs or earns us.
type House struct {
	Name  string    `yaml:"name"`
	Tiers []FeeTier `yaml:"tiers"` // our maker/taker per VIP tier, lowest volume first
	// Symbols are the unified symbols we list, e.g. BTC/USDT:USDT.
	Symbols []string `yaml:"symbols"`
	// Volume30dUSD is our 30-day volume per unified symbol.
	Volume30dUSD map[string]float64 `yaml:"volume_30d_usd"`
	// ContributionMargin is the share of fee revenue kept after costs, 0..1.
	ContributionMargin float64 `yaml:"contribution_margin"`
}

// FeeTier is one VIP tier of our fee schedule. Rates are fractions:
// 0.0002 is 2 bps; a negative maker rate is a rebate.
type FeeTier struct {
	Name            string  `yaml:"name"`
	Maker           float64 `yaml:"maker"`
	Taker           float64 `yaml:"taker"`
	Min30dVolumeUSD float64 `yaml:"min_30d_volume_usd"`
}

// maxFeeRate bounds a plausible perp fee: 1% per side. A larger value is
// almost always bps or percent typed where a fraction was meant.
const maxFeeRate = 0.01

var unifiedPattern = regexp.MustCompile(`^[A-Z0-9]+/[A-Z0-9]+:[A-Z0-9]+$`)

// Validate returns every problem with the profile, each naming the field,
// so an operator fixes the whole file in one go. An empty profile is
// valid: the digest still runs, and suggestions print n/a for our own
// numbers; a profile that is partly filled in must be complete.
func (h House) Validate() []error {
	if h.isZero() {
		return nil
	}
	var errs []error
	if strings.TrimSpace(h.Name) == "" {
		errs = append(errs, fmt.Errorf("name is empty"))
	}
	if len(h.Tiers) == 0 {
		errs = append(errs, fmt.Errorf("tiers: none given; at least the base tier (maker, taker) is needed"))
	}
	seenTier := map[string]bool{}
	for i, t := range h.Tiers {
		at := fmt.Sprintf("tiers[%d] (%s)", i, t.Name)
		if t.Name == "" {
			errs = append(errs, fmt.Errorf("%s: name is empty", at))
		} else if seenTier[t.Name] {
			errs = append(errs, fmt.Errorf("%s: name is used twice", at))
		}
		seenTier[t.Name] = true
		for _, r := range []struct {
			field string
			v     float64
		}{{"maker", t.Maker}, {"taker", t.Taker}} {
			if r.v < -maxFeeRate || r.v > maxFeeRate {
				errs = append(errs, fmt.Errorf("%s: %s %g is outside ±%g (a fraction: 0.0005 is 5 bps)", at, r.field, r.v, maxFeeRate))
			}
		}
		if t.Min30dVolumeUSD < 0 {
			errs = append(errs, fmt.Errorf("%s: min_30d_volume_usd %g is negative", at, t.Min30dVolumeUSD))
		}
		if i > 0 && t.Min30dVolumeUSD <= h.Tiers[i-1].Min30dVolumeUSD {
			errs = append(errs, fmt.Errorf("%s: min_30d_volume_usd %g must exceed the previous tier's %g (tiers go lowest volume first)", at, t.Min30dVolumeUSD, h.Tiers[i-1].Min30dVolumeUSD))
		}
	}
	listed := map[string]bool{}
	for i, s := range h.Symbols {
		if !unifiedPattern.MatchString(s) {
			errs = append(errs, fmt.Errorf("symbols[%d]: %q is not a unified symbol BASE/QUOTE:SETTLE such as BTC/USDT:USDT", i, s))
		}
		if listed[s] {
			errs = append(errs, fmt.Errorf("symbols[%d]: %q is listed twice", i, s))
		}
		listed[s] = true
	}
	keys := make([]string, 0, len(h.Volume30dUSD))
	for k := range h.Volume30dUSD {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !listed[k] {
			errs = append(errs, fmt.Errorf("volume_30d_usd: %q is not in symbols", k))
		}
		if v := h.Volume30dUSD[k]; v < 0 {
			errs = append(errs, fmt.Errorf("volume_30d_usd: %q is negative (%g)", k, v))
		}
	}
	if h.ContributionMargin < 0 || h.ContributionMargin > 1 {
		errs = append(errs, fmt.Errorf("contribution_margin %g is outside 0..1 (0.6 keeps 60%% of fee revenue)", h.ContributionMargin))
	}
	return errs
}

func (h House) isZero() bool {
	return h.Name == "" && len(h.Tiers) == 0 && len(h.Symbols) == 0 && len(h.Volume30dUSD) == 0 && h.ContributionMargin == 0
}

// Lists reports whether we list exactly this unified symbol.
func (h House) Lists(unified string) bool {
	for _, s := range h.Symbols {
		if s == unified {
			return true
		}
	}
	return false
}

// sameCoin returns our listed symbols on the coin (multiplier prefix
// stripped), in configuration order: BTC/USDT:USDT and BTC/USD:BTC both
// carry BTC flow, so a rival change to either concerns both.
func (h House) sameCoin(coin string) []string {
	var out []string
	for _, s := range h.Symbols {
		if coin != "" && coinOf(s) == coin {
			out = append(out, s)
		}
	}
	return out
}

// baseTier is the tier most takers pay: the first one.
func (h House) baseTier() (FeeTier, bool) {
	if len(h.Tiers) == 0 {
		return FeeTier{}, false
	}
	return h.Tiers[0], true
}

// coinOf returns the coin of a unified symbol: PEPE for 1000PEPE/USDT:USDT.
func coinOf(unified string) string {
	base, _, ok := strings.Cut(unified, "/")
	if !ok {
		return ""
	}
	return collectors.Coin(base)
}
