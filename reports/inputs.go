package reports

import (
	"math"
	"path"
	"strings"

	"github.com/rivalwatch/rivalwatch/diff"
)

// inputs are the named values a rule sees for one change: the change's own
// fields, its Evidence, numbers derived from the Evidence, and enrichment
// from the market picture and the house profile. Values are float64,
// string or bool; an unknown number is absent, so it prints "n/a".
type inputs map[string]any

type inputKind int

const (
	inputNumber inputKind = iota
	inputText
	inputFlag
)

// commonInputs are present (or may be) for every change.
//
//	exchange, symbol, unified, coin, type, field, severity   the change
//	old_text, new_text          the change's Old and New as shown
//	detected_at                 when it was seen, UTC
//	rival_volume_24h_usd        24h volume on the changing exchange(s)
//	rival_open_interest_usd     open interest there
//	all_rivals_volume_24h_usd   24h volume of the symbol on every rival
//	house_name                  our exchange
//	house_lists                 we list this unified symbol
//	house_lists_coin            we list some contract on the same coin
//	house_same_coin             those contracts, comma separated
//	house_same_coin_count       how many
//	house_volume_30d_usd        our 30-day volume on this symbol (0 unlisted)
//	house_daily_volume_usd      that over 30 days
//	house_coin_daily_volume_usd our daily volume over the whole coin
//	house_taker_fee, house_maker_fee   our base tier (fractions)
//	contribution_margin         share of fee revenue kept, 0..1
var commonInputs = map[string]inputKind{
	"exchange": inputText, "symbol": inputText, "unified": inputText, "coin": inputText,
	"type": inputText, "field": inputText, "severity": inputText,
	"old_text": inputText, "new_text": inputText, "detected_at": inputText,
	"rival_volume_24h_usd": inputNumber, "rival_open_interest_usd": inputNumber,
	"all_rivals_volume_24h_usd": inputNumber,
	"house_name":                inputText, "house_lists": inputFlag, "house_lists_coin": inputFlag,
	"house_same_coin": inputText, "house_same_coin_count": inputNumber,
	"house_volume_30d_usd": inputNumber, "house_daily_volume_usd": inputNumber,
	"house_coin_daily_volume_usd": inputNumber,
	"house_taker_fee":             inputNumber, "house_maker_fee": inputNumber,
	"contribution_margin": inputNumber,
}

// typeInputs are the Evidence keys diff sets per type, plus the numbers
// derived from them here (abs_annualized, usd_per_day_per_1m, ratios).
// "annualized_*" stands for annualized_<exchange>.
var typeInputs = map[diff.Type][]string{
	diff.ListingNew:         nil,
	diff.ListingPrelaunch:   nil,
	diff.ListingDelisted:    nil,
	diff.ListingStatus:      nil,
	diff.ListingParam:       {"old", "new"},
	diff.FundingInterval:    {"old_interval_hours", "new_interval_hours"},
	diff.FundingCap:         {"cap_old", "cap_new", "floor_old", "floor_new", "interval_hours"},
	diff.FundingExtreme:     {"rate", "annualized", "abs_annualized", "usd_per_day_per_1m"},
	diff.FundingDivergence:  {"spread_annualized", "annualized_*", "usd_per_day_per_1m"},
	diff.MarketVolumeSpike:  {"volume_24h_usd", "median_volume_usd", "volume_ratio"},
	diff.MarketOISpike:      {"open_interest_usd", "median_open_interest_usd", "oi_ratio"},
	diff.PromoNew:           announcementInputs,
	diff.PromoEnding:        announcementInputs,
	diff.ListingAnnounced:   announcementInputs,
	diff.DelistingAnnounced: announcementInputs,
	diff.FundingAnnounced:   announcementInputs,
	diff.ParamsAnnounced:    announcementInputs,
	diff.YieldAPR:           {"apr_old", "apr_new", "apr_change"},
	diff.FeeTier: {"old_rate", "new_rate", "cut", "taker", "base_tier", "old_maker", "new_maker", "old_taker", "new_taker",
		"min_30d_volume_usd", "house_rate", "gap", "house_total_daily_volume_usd", "overlap_count",
		"overlap_daily_volume_usd", "breakeven_uplift"},
	diff.FeeSymbol: {"maker_rate", "taker_rate", "tier_maker_rate", "tier_taker_rate", "taker_discount", "maker_discount",
		"old_maker_rate", "old_taker_rate", "house_rate", "gap", "breakeven_uplift"},
}

// knownInputs returns the inputs a rule of this type pattern can read.
// strict is false when the pattern reaches beyond the types this package
// knows (fee.*, promo.*, "*"): their Evidence keys are not known here, and
// a rule for them must work as configuration alone.
func knownInputs(pattern string) (known map[string]inputKind, strict bool) {
	known = map[string]inputKind{}
	for k, v := range commonInputs {
		known[k] = v
	}
	family, _, _ := strings.Cut(pattern, ".")
	strict = !strings.ContainsAny(family, `*?[\`)
	matched := false
	for t, keys := range typeInputs {
		if ok, _ := path.Match(pattern, string(t)); !ok {
			continue
		}
		matched = true
		for _, k := range keys {
			known[k] = inputNumber
		}
	}
	return known, strict && matched
}

// standing is where a change leaves us, typed for ranking and display;
// the playbook reads the same numbers from inputs by name.
type standing struct {
	Unified           string
	HouseLists        bool   // we list this exact contract
	HouseListsCoin    bool   // we list the coin in some contract
	SameCoin          string // our contracts on the coin, comma-separated
	RivalVolumeUSD    float64
	HaveRivalVolume   bool
	RivalOpenInterest float64
	HaveRivalOI       bool
	HouseDailyUSD     float64 // our daily volume on the contract
	HaveHouseDaily    bool
	HouseCoinDailyUSD float64 // our daily volume on the coin, all contracts
}

// standingOf computes a change's standing from the market picture and the
// house profile.
func standingOf(c diff.Change, p *picture, h House) standing {
	st := standing{Unified: unifiedOf(c, p)}
	for _, ex := range c.ExchangeList() {
		s, ok := p.statFor(ex, c.Symbol, st.Unified)
		if !ok {
			continue
		}
		st.RivalVolumeUSD, st.HaveRivalVolume = st.RivalVolumeUSD+s.Volume24hUSD, true
		if s.OpenInterestUSD > 0 {
			st.RivalOpenInterest, st.HaveRivalOI = st.RivalOpenInterest+s.OpenInterestUSD, true
		}
	}
	same := h.sameCoin(coinOf(st.Unified))
	st.HouseLists = h.Lists(st.Unified)
	st.HouseListsCoin = len(same) > 0
	st.SameCoin = strings.Join(same, ", ")
	if !st.HouseLists {
		st.HaveHouseDaily = true
	} else if v, ok := h.Volume30dUSD[st.Unified]; ok {
		st.HouseDailyUSD, st.HaveHouseDaily = v/30, true
	}
	for _, s := range same {
		st.HouseCoinDailyUSD += h.Volume30dUSD[s] / 30
	}
	if c.Type == diff.FeeTier {
		// A schedule change prices every symbol: all our flow is at stake.
		st.HouseListsCoin = len(h.Symbols) > 0
		for _, s := range h.Symbols {
			st.HouseCoinDailyUSD += h.Volume30dUSD[s] / 30
		}
	}
	return st
}

// buildInputs computes a change's inputs.
func buildInputs(c diff.Change, p *picture, h House, st standing) inputs {
	in := inputs{}
	for k, v := range c.Evidence {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			in[k] = v
		}
	}
	unified := st.Unified
	coin := coinOf(unified)
	in["exchange"] = c.ExchangeLabel()
	in["symbol"] = c.Symbol
	in["unified"] = unified
	in["coin"] = coin
	in["type"] = string(c.Type)
	in["field"] = c.Field
	in["severity"] = string(c.Severity)
	in["old_text"] = c.Old
	in["new_text"] = c.New
	if !c.DetectedAt.IsZero() {
		in["detected_at"] = c.DetectedAt.UTC().Format("2006-01-02 15:04 UTC")
	}

	// Derived numbers, so rules compare magnitudes without template maths.
	switch c.Type {
	case diff.FundingExtreme:
		if a, ok := c.Evidence["annualized"]; ok {
			in["abs_annualized"] = math.Abs(a)
			in["usd_per_day_per_1m"] = math.Abs(a) * 1e6 / 365
		}
	case diff.FundingDivergence:
		if s, ok := c.Evidence["spread_annualized"]; ok {
			in["usd_per_day_per_1m"] = math.Abs(s) * 1e6 / 365
		}
	case diff.MarketVolumeSpike:
		if r, ok := ratio(c.Evidence, "volume_24h_usd", "median_volume_usd"); ok {
			in["volume_ratio"] = r
		}
	case diff.MarketOISpike:
		if r, ok := ratio(c.Evidence, "open_interest_usd", "median_open_interest_usd"); ok {
			in["oi_ratio"] = r
		}
	}

	// The market picture on the changing exchange(s).
	if st.HaveRivalVolume {
		in["rival_volume_24h_usd"] = st.RivalVolumeUSD
	}
	if st.HaveRivalOI {
		in["rival_open_interest_usd"] = st.RivalOpenInterest
	}
	if stats := p.byUnified[unified]; len(stats) > 0 {
		var all float64
		for _, s := range stats {
			all += s.Volume24hUSD
		}
		in["all_rivals_volume_24h_usd"] = all
	}

	// The house profile.
	in["house_name"] = h.Name
	in["house_lists"] = st.HouseLists
	in["house_lists_coin"] = st.HouseListsCoin
	in["house_same_coin"] = st.SameCoin
	in["house_same_coin_count"] = float64(len(h.sameCoin(coin)))
	if st.HaveHouseDaily {
		in["house_volume_30d_usd"] = st.HouseDailyUSD * 30
		in["house_daily_volume_usd"] = st.HouseDailyUSD
	}
	in["house_coin_daily_volume_usd"] = st.HouseCoinDailyUSD
	if t, ok := h.baseTier(); ok {
		in["house_taker_fee"] = t.Taker
		in["house_maker_fee"] = t.Maker
	}
	if !h.isZero() {
		// Without a profile a margin of 0 would print $0 instead of n/a.
		in["contribution_margin"] = h.ContributionMargin
	}
	feeInputs(c, p, h, in)
	return in
}

func ratio(ev map[string]float64, num, den string) (float64, bool) {
	n, ok1 := ev[num]
	d, ok2 := ev[den]
	if !ok1 || !ok2 || d == 0 {
		return 0, false
	}
	return n / d, true
}
