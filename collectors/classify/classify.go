// Package classify sorts a rival's announcement into one category and pulls
// out the facts an operations person acts on: the symbols it names, the
// reward pool, the campaign or effective window, the maximum leverage and
// the funding settlement interval.
//
// The category comes from an ordered rules file (see configs/classify.yaml)
// so a new campaign name is a one-line change; extraction is code, because
// it follows the structure of the text (table labels, date grammar, amounts
// beside "Prize Pool") rather than any one exchange's phrasing. The package
// is pure: no I/O, no clock, the same answer for the same input.
package classify

import (
	"encoding/json"
	"strings"
	"time"
)

// The categories an announcement can have: exactly one per announcement.
const (
	Listing              = "listing"                // spot, margin, Earn or Convert listing that is not a perp launch
	PerpLaunch           = "perp_launch"            // a new perpetual or delivery contract, or a pre-market conversion
	Delisting            = "delisting"              // a pair, token or contract leaves
	FeeChange            = "fee_change"             // a permanent change to a fee schedule
	FeePromo             = "fee_promo"              // a limited-time discount, waiver, zero-fee offer or rebate
	TradingCompetition   = "trading_competition"    // trade to share a prize pool or climb a leaderboard
	Airdrop              = "airdrop"                // tokens handed to holders or participants
	Launchpool           = "launchpool"             // stake to farm a new token (Launchpool, Launchpad, Jumpstart)
	DepositBonus         = "deposit_bonus"          // deposit to earn a bonus
	FundingChange        = "funding_change"         // funding interval, cap or formula changes
	LeverageMarginChange = "leverage_margin_change" // leverage and margin tiers, tick size, min notional, collateral
	Maintenance          = "maintenance"            // system or wallet maintenance, network upgrades, suspensions
	Earn                 = "earn"                   // savings, staking and other yield products
	Other                = "other"                  // none of the above
)

// Categories lists every category, in the order reports show them.
var Categories = []string{
	Listing, PerpLaunch, Delisting, FeeChange, FeePromo, TradingCompetition, Airdrop,
	Launchpool, DepositBonus, FundingChange, LeverageMarginChange, Maintenance, Earn, Other,
}

// Input is one announcement as the feed gave it.
type Input struct {
	Exchange string // binance, bybit or okx; rules may be limited to some
	Title    string
	Body     string // plain text; "" when only the title is known
	// PublishedAt supplies the year when the text writes "Jan 8 – Jan 15"
	// without one; the zero time leaves such dates out.
	PublishedAt time.Time
}

// Result is what an announcement says, as far as the text tells.
type Result struct {
	Category string
	Rule     string   // the rule that decided the category; "" for Other by default
	Symbols  []string // every symbol named, title first, each once
	// RewardPool is the campaign's total pool; a per-user cap is not one.
	RewardPool *Amount
	// StartsAt and EndsAt are the campaign period, the launch or
	// conversion time of a perp launch, or the effective time of a notice.
	StartsAt, EndsAt *When
	MaxLeverage      float64 // 0 when not stated
	// FundingIntervalHours is the funding settlement interval, 0 when not
	// stated; for a change, the new interval.
	FundingIntervalHours float64
}

// Classify decides the category and extracts the facts of one announcement.
func (r *Rules) Classify(in Input) Result {
	t := newText(in)
	res := Result{Category: Other}
	if rule := r.match(in.Exchange, t); rule != nil {
		res.Category, res.Rule = rule.category, rule.name
	}
	res.Symbols = symbols(in.Title, in.Body)
	res.RewardPool = rewardPool(in.Title, in.Body)
	res.StartsAt, res.EndsAt = window(in.Title, in.Body, in.PublishedAt)
	all := in.Title + "\n" + in.Body
	res.MaxLeverage = maxLeverage(all)
	res.FundingIntervalHours = fundingInterval(all)
	return res
}

// text is an announcement as the rules see it, lower-cased once: title,
// body, and both joined for conditions on either.
type text struct {
	title, body, all string
}

func newText(in Input) text {
	t, b := strings.ToLower(in.Title), strings.ToLower(in.Body)
	return text{title: t, body: b, all: t + "\n" + b}
}

// resultJSON is the JSON form of a Result: absent facts are null, never 0.
type resultJSON struct {
	Category             string   `json:"category"`
	Rule                 string   `json:"rule,omitempty"`
	Symbols              []string `json:"symbols"`
	RewardPool           *Amount  `json:"reward_pool"`
	StartsAt             *When    `json:"starts_at"`
	EndsAt               *When    `json:"ends_at"`
	MaxLeverage          *float64 `json:"max_leverage"`
	FundingIntervalHours *float64 `json:"funding_interval_hours"`
}

// MarshalJSON writes the form the classify command prints and the
// labelled test files hold.
func (r Result) MarshalJSON() ([]byte, error) {
	orNull := func(v float64) *float64 {
		if v == 0 {
			return nil
		}
		return &v
	}
	syms := r.Symbols
	if syms == nil {
		syms = []string{}
	}
	return json.Marshal(resultJSON{
		Category: r.Category, Rule: r.Rule, Symbols: syms, RewardPool: r.RewardPool,
		StartsAt: r.StartsAt, EndsAt: r.EndsAt,
		MaxLeverage: orNull(r.MaxLeverage), FundingIntervalHours: orNull(r.FundingIntervalHours),
	})
}
