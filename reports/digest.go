// Package reports builds the daily digest an operations person reads at
// 9 am: the rival changes that matter most to our P&L, tables by theme,
// countermeasures suggested by the playbook with their arithmetic, how
// fresh the data is, and two charts. The digest is one data structure
// (Digest, also the JSON format) rendered as an e-mail-safe HTML page, as
// Markdown for chat tools, or as JSON.
package reports

import (
	"cmp"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/diff"
)

// DefaultStaleAfter is Input.StaleAfter when unset: with collectors
// running at least hourly, two hours means at least one missed run.
const DefaultStaleAfter = 2 * time.Hour

// Headline sizes: at least headlineMin events when there are any, up to
// headlineMax while they are medium severity or above.
const (
	headlineMin = 3
	headlineMax = 7
)

// Chart sizes: the symbols with the largest funding divergence, the coins
// with the most volume.
const (
	fundingChartSymbols = 8
	volumeChartCoins    = 10
)

// Freshness is how one (exchange, kind) feed has been doing.
type Freshness struct {
	Exchange, Kind string
	LastComplete   time.Time // the newest complete snapshot; zero if none
	LastRun        time.Time
	FailuresSince  int // failed runs after LastComplete
	LastError      string
}

// Input is everything one digest is built from.
type Input struct {
	Date        time.Time // the UTC day reported
	GeneratedAt time.Time
	Changes     []diff.Change           // the day's events
	Funding     []collectors.Funding    // newest complete funding of every exchange
	Market      []collectors.MarketStat // newest complete market stats of every exchange
	Fees        []collectors.Fee        // newest complete fee rows of every exchange
	Freshness   []Freshness
	House       House
	Playbook    Playbook
	// FreshnessAsOf is the moment freshness ages are measured at: the end
	// of a past day, or GeneratedAt. Zero means GeneratedAt.
	FreshnessAsOf time.Time
	// Announcements are the stored rival campaigns and perp launch and
	// delisting announcements; Yields the newest complete yield products
	// of every exchange.
	Announcements []collectors.Announcement
	Yields        []collectors.Yield
	// WashTradingShare is the share of a rival campaign's volume
	// discounted as wash trading (campaigns.wash_trading_share).
	WashTradingShare float64
	// StaleAfter is how old a feed's last complete snapshot may be before
	// the digest flags it; the caller derives it from the schedules.
	// Zero means DefaultStaleAfter.
	StaleAfter time.Duration
	// Webhooks is how alert delivery to each webhook is doing.
	Webhooks []WebhookHealth
}

// Digest is the daily digest; it is also the JSON format, so every field a
// renderer shows is here.
type Digest struct {
	Date        string    `json:"date"` // YYYY-MM-DD, UTC
	GeneratedAt time.Time `json:"generated_at"`
	House       string    `json:"house"`
	// Headline is the few events that matter most, ranked.
	Headline []Event `json:"headline"`
	// Sections hold every event by theme, ranked within each.
	Sections    []Section       `json:"sections"`
	Suggestions []Suggestion    `json:"suggestions"`
	Freshness   []FreshnessLine `json:"freshness"`
	StaleFeeds  int             `json:"stale_feeds"`
	// Exchanges orders the exchanges in the charts.
	Exchanges    []string       `json:"exchanges"`
	FundingChart []FundingGroup `json:"funding_chart"`
	VolumeChart  []VolumeShare  `json:"volume_chart"`
	// Fees lines up our tiers with the rivals' at the same 30-day volume;
	// FeeExchanges orders the rivals in it.
	Fees         []FeeTierRow `json:"fees,omitempty"`
	FeeExchanges []string     `json:"fee_exchanges,omitempty"`
	// Campaigns, AnnouncedAhead, FirstListed and TopYields come from the
	// rivals' announcements and yield products.
	Campaigns      []Campaign     `json:"campaigns"`
	AnnouncedAhead []Ahead        `json:"announced_ahead"`
	FirstListed    []FirstListing `json:"first_listed"`
	TopYields      []TopYield     `json:"top_yields"`
	// Problems are playbook rules that could not run.
	Problems []string `json:"problems,omitempty"`
	// Webhooks are the alert receivers' delivery health; a failing one
	// is an item at the top and a row of the freshness table.
	Webhooks []WebhookLine `json:"webhooks,omitempty"`
}

// Event is one change as the digest shows it.
type Event struct {
	ID           string             `json:"id"`
	Exchange     string             `json:"exchange"`
	Kind         string             `json:"kind"`
	Type         string             `json:"type"`
	Symbol       string             `json:"symbol"`
	Unified      string             `json:"unified"`
	Field        string             `json:"field,omitempty"`
	Old          string             `json:"old"`
	New          string             `json:"new"`
	Severity     string             `json:"severity"`
	DetectedAt   time.Time          `json:"detected_at"`
	SourceAt     time.Time          `json:"source_at,omitzero"` // when the source says it happened
	SnapshotFrom int64              `json:"snapshot_from"`
	SnapshotTo   int64              `json:"snapshot_to"`
	Evidence     map[string]float64 `json:"evidence,omitempty"`
	// Change is "old → new" with the field named; Since is when it was
	// seen; Detail the numbers that size it; Summary the one-line form.
	Change  string `json:"change"`
	Since   string `json:"since"`
	Detail  string `json:"detail"`
	Summary string `json:"summary"`
	// Headline is the short form the headline shows, pointing at the
	// event's row in Section (anchor Anchor) for the numbers.
	Headline string `json:"headline"`
	Section  string `json:"section"`
	Anchor   string `json:"anchor"`
	// HouseLists: we list the symbol; HouseListsCoin: some contract on
	// the coin. MoneyUSD is the size used for ranking.
	HouseLists     bool    `json:"house_lists"`
	HouseListsCoin bool    `json:"house_lists_coin"`
	MoneyUSD       float64 `json:"money_usd"`
}

// Section is one theme's table.
type Section struct {
	Key    string  `json:"key"`
	Title  string  `json:"title"`
	Events []Event `json:"events"`
}

// FreshnessLine is one feed's freshness as shown.
type FreshnessLine struct {
	Exchange      string    `json:"exchange"`
	Kind          string    `json:"kind"`
	LastComplete  time.Time `json:"last_complete"`
	LastRun       time.Time `json:"last_run"`
	Age           string    `json:"age"`
	FailuresSince int       `json:"failures_since"`
	LastError     string    `json:"last_error,omitempty"`
	Stale         bool      `json:"stale"`
	Reason        string    `json:"reason,omitempty"`
}

// FundingGroup is one symbol's annualized funding per exchange.
type FundingGroup struct {
	Unified    string             `json:"unified"`
	Annualized map[string]float64 `json:"annualized"` // exchange → yearly fraction
	Spread     float64            `json:"spread_annualized"`
}

// VolumeShare is one coin's 24h volume per exchange.
type VolumeShare struct {
	Coin       string             `json:"coin"`
	TotalUSD   float64            `json:"total_usd"`
	ByExchange map[string]float64 `json:"by_exchange"`
}

// sections are the themes in reading order; each always appears, with
// "No changes." when empty, so a reader knows it was checked. Types
// outside them go to "other", shown only when it has events.
var sections = []struct {
	key, title string
	types      []diff.Type
}{
	{"listings", "New and upcoming listings", []diff.Type{diff.ListingNew, diff.ListingPrelaunch}},
	{"delistings", "Delistings and status changes", []diff.Type{diff.ListingDelisted, diff.ListingStatus, listingFlapped}},
	{"params", "Contract parameter changes", []diff.Type{diff.ListingParam}},
	{"funding", "Funding", []diff.Type{diff.FundingInterval, diff.FundingCap, diff.FundingExtreme, diff.FundingDivergence}},
	{"market", "Market moves", []diff.Type{diff.MarketVolumeSpike, diff.MarketOISpike}},
	{"fees", "Fee changes", []diff.Type{diff.FeeTier, diff.FeeSymbol}},
	{"announced", "Rival announcements", []diff.Type{diff.ListingAnnounced, diff.DelistingAnnounced, diff.FundingAnnounced,
		diff.ParamsAnnounced, diff.FeeAnnounced, diff.PromoNew, diff.PromoEnding}},
	{"yield", "Yield products", []diff.Type{diff.YieldAPR}},
}

const otherSection = "other"

// sectionTitle is the title of the section with key.
func sectionTitle(key string) string {
	for _, s := range sections {
		if s.key == key {
			return s.title
		}
	}
	return "Other changes"
}

// Build assembles the digest. It is pure: the same Input always gives the
// same Digest.
func Build(in Input) Digest {
	d := Digest{
		Date:        in.Date.UTC().Format("2006-01-02"),
		GeneratedAt: in.GeneratedAt.UTC(),
		House:       in.House.Name,
	}
	pic := newPicture(in.Market, in.Funding)
	day := in.Date.UTC()

	type ranked struct {
		c  diff.Change
		in inputs
		ev Event
	}
	rs := make([]ranked, 0, len(in.Changes))
	for _, c := range mergeAnnounced(mergeFlaps(in.Changes)) {
		st := standingOf(c, pic, in.House)
		ins := buildInputs(c, pic, in.House, st)
		campaignInputs(c, ins, in.WashTradingShare)
		rs = append(rs, ranked{c: c, in: ins, ev: newEvent(c, ins, st, day)})
	}
	// Ranking, most important first:
	//  1. severity, as diff judged it;
	//  2. whether it touches a coin we list: a rival move on our own
	//     markets moves our P&L directly, one elsewhere only maybe;
	//  3. money size: the rival's 24h volume on the symbol plus our own
	//     daily volume on the coin, i.e. the flow that could move;
	//  4. then theme order, exchange, symbol and ID, only for a stable order.
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i].ev, rs[j].ev
		if x, y := diff.Severity(a.Severity).Rank(), diff.Severity(b.Severity).Rank(); x != y {
			return x > y
		}
		if a.HouseListsCoin != b.HouseListsCoin {
			return a.HouseListsCoin
		}
		if a.MoneyUSD != b.MoneyUSD {
			return a.MoneyUSD > b.MoneyUSD
		}
		if x, y := themeOrder(a.Type), themeOrder(b.Type); x != y {
			return x < y
		}
		if a.Exchange != b.Exchange {
			return a.Exchange < b.Exchange
		}
		if a.Symbol != b.Symbol {
			return a.Symbol < b.Symbol
		}
		return a.ID < b.ID
	})

	for i, r := range rs {
		if i >= headlineMax || (i >= headlineMin && diff.Severity(r.ev.Severity).Rank() < diff.Medium.Rank()) {
			break
		}
		d.Headline = append(d.Headline, r.ev)
	}

	bySection := map[string][]Event{}
	for _, r := range rs {
		k := sectionOf(diff.Type(r.ev.Type))
		bySection[k] = append(bySection[k], r.ev)
	}
	for _, s := range sections {
		d.Sections = append(d.Sections, Section{Key: s.key, Title: s.title, Events: bySection[s.key]})
	}
	if ev := bySection[otherSection]; len(ev) > 0 {
		d.Sections = append(d.Sections, Section{Key: otherSection, Title: sectionTitle(otherSection), Events: ev})
	}

	rules, errs := in.Playbook.compile()
	for _, e := range errs {
		d.Problems = append(d.Problems, "playbook: "+e.Error())
	}
	for _, r := range rs {
		for _, rule := range rules {
			if !rule.matches(r.c.Type) || !rule.When.fires(r.c.ExchangeList(), r.in) {
				continue
			}
			s := rule.apply(r.c, r.in)
			if s.Error != "" {
				d.Problems = append(d.Problems, s.Error)
			}
			if s.unsized() {
				continue
			}
			d.Suggestions = append(d.Suggestions, s)
		}
	}

	asOf := in.FreshnessAsOf
	if asOf.IsZero() {
		asOf = in.GeneratedAt
	}
	d.Freshness = freshnessLines(in.Freshness, asOf, cmp.Or(in.StaleAfter, DefaultStaleAfter))
	for _, f := range d.Freshness {
		if f.Stale {
			d.StaleFeeds++
		}
	}
	d.Webhooks = webhookLines(in.Webhooks, in.GeneratedAt)
	d.Campaigns = campaigns(in.Announcements, pic, day, in.GeneratedAt)
	d.AnnouncedAhead = announcedAhead(in.Announcements, day)
	d.FirstListed = firstListings(in.Changes)
	d.TopYields = topRivalYields(in.Yields, in.House)
	d.Exchanges = exchangeList(in.Funding, in.Market)
	d.FundingChart = fundingGroups(in.Funding)
	d.VolumeChart = volumeShares(in.Market)
	d.Fees, d.FeeExchanges = feeTable(in.House, in.Fees)
	return d
}

func sectionOf(t diff.Type) string {
	for _, s := range sections {
		for _, st := range s.types {
			if st == t {
				return s.key
			}
		}
	}
	return otherSection
}

func themeOrder(t string) int {
	k := sectionOf(diff.Type(t))
	for i, s := range sections {
		if s.key == k {
			return i
		}
	}
	return len(sections)
}

// newEvent turns a change into its display form.
func newEvent(c diff.Change, in inputs, st standing, day time.Time) Event {
	unified := st.Unified
	e := Event{
		ID: c.ID, Exchange: c.ExchangeLabel(), Kind: string(c.Kind), Type: string(c.Type),
		Symbol: c.Symbol, Unified: unified, Field: c.Field, Old: c.Old, New: c.New,
		Severity: string(c.Severity), DetectedAt: c.DetectedAt.UTC(),
		SnapshotFrom: c.SnapshotFrom, SnapshotTo: c.SnapshotTo, Evidence: c.Evidence,
		Since: formatWhen(c.DetectedAt, day), HouseLists: st.HouseLists, HouseListsCoin: st.HouseListsCoin,
		MoneyUSD: st.RivalVolumeUSD + st.HouseCoinDailyUSD,
	}
	if !c.SourceAt.IsZero() {
		e.SourceAt = c.SourceAt.UTC()
		e.Since = sourceAndSeen(c, day)
	}
	field := c.Field
	if c.Kind == collectors.KindAnnouncements {
		field = "" // the article id, for joining with the announcements view
	}
	e.Change = oldNew(field, c.Old, c.New)
	what, detail := describe(c, in)
	house := houseNote(c.Type, st)
	e.Detail = joinNonEmpty("; ", detail, announcedNote(c), house)
	sym := c.Symbol
	if sym != "" && unified != "" && unified != c.Symbol {
		sym += " (" + unified + ")"
	}
	e.Headline = joinNonEmpty(" ", c.ExchangeLabel(), sym, what)
	e.Summary = joinNonEmpty(": ", e.Headline, e.Detail)
	e.Section = sectionTitle(sectionOf(c.Type))
	e.Anchor = "ev-" + c.ID
	return e
}

func oldNew(field, old, new string) string {
	var s string
	switch {
	case old == "" && new == "":
		s = ""
	case old == "":
		s = new
	case new == "":
		s = old + " → n/a"
	default:
		s = old + " → " + new
	}
	if field != "" {
		return joinNonEmpty(" ", field, s)
	}
	return s
}

// describe returns what happened (a short verb phrase) and the numbers
// that size it.
func describe(c diff.Change, in inputs) (what, detail string) {
	vol := ""
	if v, ok := in["rival_volume_24h_usd"]; ok {
		vol = "24h volume " + formatUSD(v)
	}
	if what, detail, ok := describeAnnounced(c, in); ok {
		return what, detail
	}
	switch c.Type {
	case diff.ListingNew:
		return "listed", vol
	case listingFlapped:
		return "delisted and listed again (flapped) at " + formatWhen(c.DetectedAt, c.DetectedAt), vol
	case diff.ListingPrelaunch:
		return "opened pre-market trading", vol
	case diff.ListingDelisted:
		return "delisting" + paren(oldNew("", c.Old, c.New)), vol
	case diff.ListingStatus:
		return "status " + oldNew("", c.Old, c.New), vol
	case diff.ListingParam:
		return oldNew(c.Field, c.Old, c.New), vol
	case diff.FundingInterval:
		what = "funding interval " + oldNew("", c.Old, c.New)
		if _, ok := in["old_interval_hours"]; ok {
			what = "funding interval " + formatHours(in["old_interval_hours"]) + " → " + formatHours(in["new_interval_hours"])
		}
		return what, vol
	case diff.FundingCap:
		return "funding " + oldNew(c.Field, c.Old, c.New), vol
	case diff.FundingExtreme:
		return "funding " + formatBps(in["rate"]) + " per interval = " + formatPctYr(in["annualized"]),
			joinNonEmpty("; ", formatUSD(in["usd_per_day_per_1m"])+"/day per $1M notional", vol)
	case diff.FundingDivergence:
		return "funding spread " + formatPctYr(in["spread_annualized"]),
			joinNonEmpty("; ", formatUSD(in["usd_per_day_per_1m"])+"/day per $1M notional", divergenceSides(c))
	case diff.MarketVolumeSpike:
		return "24h volume " + formatUSD(in["volume_24h_usd"]),
			formatNum(in["volume_ratio"]) + "× its median " + formatUSD(in["median_volume_usd"])
	case diff.MarketOISpike:
		return "open interest " + formatUSD(in["open_interest_usd"]),
			formatNum(in["oi_ratio"]) + "× its median " + formatUSD(in["median_open_interest_usd"])
	case diff.FeeTier:
		if _, ok := in["house_rate"]; ok {
			detail = "ours " + formatBps(in["house_rate"]) + ", gap " + formatBps(in["gap"])
		}
		return oldNew(c.Field, c.Old, c.New), detail
	case diff.FeeSymbol:
		return c.Field + " fee " + oldNew("", c.Old, c.New), vol
	}
	return joinNonEmpty(" ", string(c.Type), oldNew(c.Field, c.Old, c.New)), vol
}

// divergenceSides lists each side's annualized funding, in exchange order.
func divergenceSides(c diff.Change) string {
	var parts []string
	for _, ex := range c.ExchangeList() {
		if v, ok := c.Evidence["annualized_"+ex]; ok {
			parts = append(parts, ex+" "+formatPctYr(v))
		}
	}
	return strings.Join(parts, " vs ")
}

// houseNote says where we stand on the symbol, which is what turns a rival
// change into our problem or our opportunity.
func houseNote(t diff.Type, st standing) string {
	switch {
	case st.HouseLists:
		var daily any
		if st.HaveHouseDaily {
			daily = st.HouseDailyUSD
		}
		return "we list it, our daily avg " + formatUSD(daily)
	case st.SameCoin != "":
		return "we list " + st.SameCoin + ", our daily avg " + formatUSD(st.HouseCoinDailyUSD)
	case t == diff.ListingNew || t == diff.ListingPrelaunch:
		return "we don't list it"
	}
	return ""
}

func paren(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

func freshnessLines(fs []Freshness, now time.Time, staleAfter time.Duration) []FreshnessLine {
	out := make([]FreshnessLine, 0, len(fs))
	for _, f := range fs {
		l := FreshnessLine{
			Exchange: f.Exchange, Kind: f.Kind, LastComplete: f.LastComplete.UTC(), LastRun: f.LastRun.UTC(),
			FailuresSince: f.FailuresSince, LastError: f.LastError, Age: "never",
		}
		var reasons []string
		if f.LastComplete.IsZero() {
			reasons = append(reasons, "no complete snapshot yet")
		} else {
			age := now.Sub(f.LastComplete)
			l.Age = formatAge(age)
			if age > staleAfter {
				reasons = append(reasons, fmt.Sprintf("last complete %s ago, over %s", l.Age, formatAge(staleAfter)))
			}
		}
		if f.FailuresSince > 0 {
			reasons = append(reasons, fmt.Sprintf("%d failed run(s) since", f.FailuresSince))
		}
		l.Stale = len(reasons) > 0
		l.Reason = strings.Join(reasons, "; ")
		out = append(out, l)
	}
	kindOrder := func(k string) int {
		for i, ak := range collectors.AllKinds {
			if string(ak) == k {
				return i
			}
		}
		return len(collectors.AllKinds)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Exchange != out[j].Exchange {
			return out[i].Exchange < out[j].Exchange
		}
		if a, b := kindOrder(out[i].Kind), kindOrder(out[j].Kind); a != b {
			return a < b
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

func exchangeList(fs []collectors.Funding, ms []collectors.MarketStat) []string {
	set := map[string]bool{}
	for _, f := range fs {
		set[f.Exchange] = true
	}
	for _, m := range ms {
		set[m.Exchange] = true
	}
	return sortedKeys(set)
}

// fundingGroups picks the symbols quoted on at least two exchanges with the
// widest annualized spread. Records without an interval are skipped: their
// annualized rate is unknown, not zero.
func fundingGroups(fs []collectors.Funding) []FundingGroup {
	by := map[string]map[string]float64{}
	for _, f := range fs {
		if f.Unified == "" || f.IntervalHours <= 0 {
			continue
		}
		if by[f.Unified] == nil {
			by[f.Unified] = map[string]float64{}
		}
		if _, dup := by[f.Unified][f.Exchange]; !dup {
			by[f.Unified][f.Exchange] = f.Annualized()
		}
	}
	var out []FundingGroup
	for u, m := range by {
		if len(m) < 2 {
			continue
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range m {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		out = append(out, FundingGroup{Unified: u, Annualized: m, Spread: hi - lo})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Spread != out[j].Spread {
			return out[i].Spread > out[j].Spread
		}
		return out[i].Unified < out[j].Unified
	})
	if len(out) > fundingChartSymbols {
		out = out[:fundingChartSymbols]
	}
	return out
}

// volumeShares sums 24h volume per coin (all contracts: USDT, USDC and
// inverse) and exchange, and keeps the largest coins.
func volumeShares(ms []collectors.MarketStat) []VolumeShare {
	by := map[string]*VolumeShare{}
	for _, m := range ms {
		coin := coinOf(m.Unified)
		if coin == "" || m.Volume24hUSD <= 0 {
			continue
		}
		v := by[coin]
		if v == nil {
			v = &VolumeShare{Coin: coin, ByExchange: map[string]float64{}}
			by[coin] = v
		}
		v.TotalUSD += m.Volume24hUSD
		v.ByExchange[m.Exchange] += m.Volume24hUSD
	}
	out := make([]VolumeShare, 0, len(by))
	for _, v := range by {
		out = append(out, *v)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].TotalUSD != out[j].TotalUSD {
			return out[i].TotalUSD > out[j].TotalUSD
		}
		return out[i].Coin < out[j].Coin
	})
	if len(out) > volumeChartCoins {
		out = out[:volumeChartCoins]
	}
	return out
}
