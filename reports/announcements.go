package reports

import (
	"math"
	"sort"
	"strings"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/diff"
	"github.com/rivalwatch/rivalwatch/reports/units"
)

// Top rival yields: at most this many lines.
const topYields = 10

// Campaign is one rival campaign (competition, airdrop, launchpool,
// deposit bonus, fee promotion) running on the digest's day or new on it.
type Campaign struct {
	Exchange string   `json:"exchange"`
	Title    string   `json:"title"`
	URL      string   `json:"url"`
	Category string   `json:"category"`
	Symbols  []string `json:"symbols"`
	// PoolUSD is the pool in USD: as stated for USD and USD stablecoins,
	// else at the newest market price of the coin; nil when unknown.
	PoolUSD  *float64 `json:"pool_usd"`
	Pool     string   `json:"pool"`   // as people read it: "$500K", "50,000 ARB (≈ $25K)"
	Period   string   `json:"period"` // "2026-11-25 10:00 UTC → 2026-12-02 10:00 UTC"
	DaysLeft *float64 `json:"days_left"`
	New      bool     `json:"new"` // first seen on the digest's day
}

// Ahead is a launch or delisting a rival announced before it happens.
type Ahead struct {
	Exchange    string    `json:"exchange"`
	What        string    `json:"what"` // "perp launch" or "delisting"
	Symbols     []string  `json:"symbols"`
	At          time.Time `json:"at"` // the launch or settlement time
	AnnouncedAt time.Time `json:"announced_at"`
	SeenAt      time.Time `json:"seen_at"`
	Title       string    `json:"title"`
	URL         string    `json:"url"`
	Line        string    `json:"line"`
}

// FirstListing says, for one coin newly listed on the day, when each rival
// announced it and went live, first first.
type FirstListing struct {
	Coin string `json:"coin"`
	Line string `json:"line"`
}

// TopYield is the best rate one rival pays on a coin we list.
type TopYield struct {
	Coin     string  `json:"coin"`
	Exchange string  `json:"exchange"`
	Product  string  `json:"product"`
	Term     string  `json:"term"`
	APR      float64 `json:"apr"`
	Rate     string  `json:"rate"`
}

// campaigns lists the campaigns active at the end of the day or first
// seen on it, new first, then by pool.
func campaigns(anns []collectors.Announcement, p *picture, day, now time.Time) []Campaign {
	end := day.Add(24 * time.Hour)
	var out []Campaign
	for _, a := range anns {
		c := a.Class
		isNew := !a.ObservedAt.Before(day) && a.ObservedAt.Before(end)
		active := c.EndsAt.IsZero() || !c.EndsAt.Before(day)
		if !diff.IsPromo(c.Category) || !(isNew || active) {
			continue
		}
		cp := Campaign{Exchange: a.Exchange, Title: a.Title, URL: a.URL, Category: c.Category, Symbols: c.Symbols, New: isNew,
			Period: period(c)}
		if c.RewardAmount > 0 {
			cp.Pool = units.Number(c.RewardAmount) + " " + c.RewardCurrency
			if usd, ok := poolUSD(c, p); ok {
				cp.PoolUSD = &usd
				if diff.IsUSD(c.RewardCurrency) {
					cp.Pool = units.USD(usd)
				} else {
					cp.Pool += " (≈ " + units.USD(usd) + ")"
				}
			}
		}
		if !c.EndsAt.IsZero() {
			left := math.Max(0, c.EndsAt.Sub(now).Hours()/24)
			cp.DaysLeft = &left
		}
		out = append(out, cp)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].New != out[j].New {
			return out[i].New
		}
		return deref(out[i].PoolUSD) > deref(out[j].PoolUSD)
	})
	return out
}

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

// poolUSD is a pool in USD: as stated for the dollar and its stablecoins,
// else at the newest price of the coin's USDT perpetual on any rival.
func poolUSD(c collectors.Classification, p *picture) (float64, bool) {
	if diff.IsUSD(c.RewardCurrency) {
		return c.RewardAmount, true
	}
	for _, s := range p.byUnified[strings.ToUpper(c.RewardCurrency)+"/USDT:USDT"] {
		if s.LastPrice > 0 {
			return c.RewardAmount * s.LastPrice, true
		}
	}
	return 0, false
}

func period(c collectors.Classification) string {
	when := func(t time.Time, dateOnly bool) string {
		if dateOnly {
			return t.Format(time.DateOnly)
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	}
	switch {
	case c.StartsAt.IsZero() && c.EndsAt.IsZero():
		return na
	case c.EndsAt.IsZero():
		return "from " + when(c.StartsAt, c.StartsDateOnly)
	case c.StartsAt.IsZero():
		return "until " + when(c.EndsAt, c.EndsDateOnly)
	}
	return when(c.StartsAt, c.StartsDateOnly) + " → " + when(c.EndsAt, c.EndsDateOnly)
}

// announcedAhead lists the perp launches and delistings still ahead at the
// start of the day, and those first seen on the day that were announced
// ahead of their time, soonest first.
func announcedAhead(anns []collectors.Announcement, day time.Time) []Ahead {
	end := day.Add(24 * time.Hour)
	var out []Ahead
	for _, a := range anns {
		c := a.Class
		what := map[string]string{"perp_launch": "perp launch", "delisting": "delisting"}[c.Category]
		seenToday := !a.ObservedAt.Before(day) && a.ObservedAt.Before(end)
		ahead := !c.StartsAt.Before(day) || (seenToday && c.StartsAt.After(a.PublishedAt))
		if what == "" || c.StartsAt.IsZero() || !ahead || !a.ObservedAt.Before(end) {
			continue
		}
		ah := Ahead{Exchange: a.Exchange, What: what, Symbols: c.Symbols, At: c.StartsAt, AnnouncedAt: a.PublishedAt,
			SeenAt: a.ObservedAt, Title: a.Title, URL: a.URL}
		ah.Line = a.Exchange + " " + what + " " + strings.Join(c.Symbols, ", ") + " at " + stamp(c.StartsAt) +
			"; announced " + stamp(a.PublishedAt) + ", seen by us " + stamp(a.ObservedAt)
		out = append(out, ah)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// firstListings writes, for each coin listed on the day, one line naming
// each rival's announcement and go-live times, earliest announcer first.
func firstListings(changes []diff.Change) []FirstListing {
	type side struct {
		exchange            string
		announced, live, at time.Time
	}
	by := map[string][]side{}
	for _, c := range changes {
		if c.Type != diff.ListingNew {
			continue
		}
		coin := coinOf(c.Unified)
		s := side{exchange: c.Exchange, live: c.DetectedAt}
		if v, ok := c.Evidence["announced_at"]; ok {
			s.announced = time.Unix(int64(v), 0).UTC()
		}
		if v, ok := c.Evidence["launch_at"]; ok {
			s.at = time.Unix(int64(v), 0).UTC()
		}
		by[coin] = append(by[coin], s)
	}
	var out []FirstListing
	for _, coin := range sortedKeys(by) {
		sides := by[coin]
		first := func(s side) time.Time {
			if !s.announced.IsZero() {
				return s.announced
			}
			return s.live
		}
		sort.SliceStable(sides, func(i, j int) bool { return first(sides[i]).Before(first(sides[j])) })
		var parts []string
		for _, s := range sides {
			p := s.exchange + ": "
			if !s.announced.IsZero() {
				p += "announced " + stamp(s.announced) + ", "
			} else {
				p += "not announced, "
			}
			if !s.at.IsZero() {
				p += "live " + stamp(s.at) + " (we saw it " + stamp(s.live) + ")"
			} else {
				p += "live by " + stamp(s.live)
			}
			parts = append(parts, p)
		}
		out = append(out, FirstListing{Coin: coin, Line: coin + " — first " + sides[0].exchange + ". " + strings.Join(parts, "; ")})
	}
	return out
}

// topRivalYields lists each rival's best rate on the coins we list (the
// coins of our contracts, and their quote and settle coins), best first.
func topRivalYields(ys []collectors.Yield, h House) []TopYield {
	ours := map[string]bool{}
	for _, s := range h.Symbols {
		base, rest, _ := strings.Cut(s, "/")
		quote, settle, _ := strings.Cut(rest, ":")
		for _, c := range []string{collectors.Coin(base), quote, settle} {
			ours[strings.ToUpper(c)] = true
		}
	}
	byExchange := map[string][]collectors.Yield{}
	for _, y := range ys {
		byExchange[y.Exchange] = append(byExchange[y.Exchange], y)
	}
	var out []TopYield
	for _, ex := range sortedKeys(byExchange) {
		for _, b := range diff.BestYields(byExchange[ex]) {
			if ours[strings.ToUpper(b.Coin)] {
				out = append(out, TopYield{Coin: b.Coin, Exchange: ex, Product: b.Product, Term: b.Term, APR: b.APR, Rate: units.PctYr(b.APR)})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].APR > out[j].APR })
	if len(out) > topYields {
		out = out[:topYields]
	}
	return out
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return na
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// describeAnnounced is describe for the announcement and yield types.
func describeAnnounced(c diff.Change, in inputs) (what, detail string, ok bool) {
	ev := c.Evidence
	var facts []string
	if v, ok := ev["max_leverage"]; ok {
		facts = append(facts, "max "+units.Number(v)+"x")
	}
	if v, ok := ev["funding_interval_hours"]; ok {
		facts = append(facts, "funding every "+units.Hours(v))
	}
	if v, ok := in["pool_usd"]; ok {
		facts = append(facts, "pool "+formatUSD(v))
	}
	if v, ok := ev["days"]; ok {
		facts = append(facts, units.Trim(v, 1)+" days")
	}
	if v, ok := ev["published_at"]; ok {
		facts = append(facts, "published "+stamp(time.Unix(int64(v), 0)))
	}
	detail = strings.Join(facts, ", ")
	switch c.Type {
	case diff.ListingAnnounced:
		return "announced a perp launch: " + c.New, detail, true
	case diff.DelistingAnnounced:
		return "announced a delisting: " + c.New, detail, true
	case diff.FundingAnnounced:
		return "announced a funding change: " + c.New, detail, true
	case diff.ParamsAnnounced:
		return "announced a contract change: " + c.New, detail, true
	case diff.FeeAnnounced:
		return "fee notice: " + c.New, detail, true
	case diff.PromoNew:
		return "new campaign: " + c.New, detail, true
	case diff.PromoEnding:
		return "campaign " + c.Old + " " + c.New, detail, true
	case diff.YieldAPR:
		return "best yield " + c.Old + " → " + c.New, "", true
	}
	return "", "", false
}

// announcedNote is, for a listing linked to its announcement, when it was
// announced and went live, and when we saw each: one item with both times.
func announcedNote(c diff.Change) string {
	ev := c.Evidence
	a, ok := ev["announced_at"]
	if !ok || (c.Type != diff.ListingNew && c.Type != diff.ListingPrelaunch) {
		return ""
	}
	note := "announced " + stamp(time.Unix(int64(a), 0))
	if l, ok := ev["launch_at"]; ok {
		note += ", live " + stamp(time.Unix(int64(l), 0))
	}
	if s, ok := ev["announcement_seen_at"]; ok {
		note += "; we saw the announcement " + stamp(time.Unix(int64(s), 0)) + " and the contract " + stamp(c.DetectedAt)
	}
	return note
}

// announcementInputs are the evidence keys of the announcement events,
// for the playbook (see typeInputs), then the numbers campaignInputs
// derives from them.
var announcementInputs = []string{"pool_amount", "pool_usd", "starts_at", "ends_at", "days", "published_at",
	"max_leverage", "funding_interval_hours", "hours_left",
	"wash_trading_share", "contestable_pool_usd", "breakeven_volume_usd", "breakeven_uplift", "waiver_breakeven_uplift"}

// campaignInputs adds the counter-campaign arithmetic to a campaign or
// fee notice's inputs:
//
//	wash_trading_share       campaigns.wash_trading_share
//	contestable_pool_usd     pool_usd × (1 − wash_trading_share): the part of the rival's
//	                         spend that buys real volume
//	breakeven_volume_usd     contestable_pool_usd ÷ (house_taker_fee × contribution_margin):
//	                         the extra volume that pays back a counter-campaign of that size
//	breakeven_uplift         breakeven_volume_usd ÷ (house_coin_daily_volume_usd × days):
//	                         the same as a share of our volume on the coin over the campaign
//	waiver_breakeven_uplift  house_maker_fee ÷ (house_taker_fee × contribution_margin): the
//	                         volume uplift that pays for waiving our maker fee
func campaignInputs(c diff.Change, in inputs, washShare float64) {
	switch c.Type {
	case diff.PromoNew, diff.PromoEnding, diff.FeeAnnounced:
	default:
		return
	}
	in["wash_trading_share"] = washShare
	taker, okT := in["house_taker_fee"].(float64)
	maker, okM := in["house_maker_fee"].(float64)
	margin, okG := in["contribution_margin"].(float64)
	perDollar := taker * margin // what a dollar of extra volume earns us
	if okT && okM && okG && perDollar > 0 {
		in["waiver_breakeven_uplift"] = maker / perDollar
	}
	pool, ok := in["pool_usd"].(float64)
	if !ok {
		return
	}
	contestable := pool * (1 - washShare)
	in["contestable_pool_usd"] = contestable
	if !okT || !okG || perDollar <= 0 {
		return
	}
	be := contestable / perDollar
	in["breakeven_volume_usd"] = be
	days, okD := in["days"].(float64)
	daily, okV := in["house_coin_daily_volume_usd"].(float64)
	if okD && okV && days > 0 && daily > 0 {
		in["breakeven_uplift"] = be / (daily * days)
	}
}
