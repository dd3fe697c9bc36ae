package diff

import (
	"maps"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// The announcement categories that are campaigns: promo.new fires for
// them, promo.ending as their end nears.
var promoCategories = map[string]bool{
	"trading_competition": true, "airdrop": true, "launchpool": true, "deposit_bonus": true, "fee_promo": true,
}

// IsPromo reports whether an announcement category is a campaign.
func IsPromo(category string) bool { return promoCategories[category] }

// maxTitleRunes caps an announcement title quoted in an event: rival text
// is untrusted, and an alert line must stay a line.
const maxTitleRunes = 120

// Announcements turns the announcements one pull found new or changed
// into events, at once: promo.new for a campaign that had not ended when
// it was published, listing.announced for each contract of a perp launch
// announced ahead of its launch time, listing.delisting_announced, funding.announced,
// params.announced, and fee.announced for fee changes and fee promotions.
// snap holds only the new or changed articles (announcements are an
// append-only feed); its At is "now". An event's ID does not depend on the
// snapshot, so an article seen again (its body fetched on a retry, say)
// never fires twice for the same news.
func Announcements(cfg Config, exchange string, snap Snap) []Change {
	cfg = cfg.withDefaults()
	var out []Change
	for _, a := range snap.Records.Announcements {
		out = append(out, announcementChanges(exchange, a, snap.At)...)
	}
	return finishFeed(cfg, out, snap.ID)
}

func announcementChanges(exchange string, a collectors.Announcement, now time.Time) []Change {
	c := a.Class
	base := Change{Exchange: exchange, Kind: collectors.KindAnnouncements, Field: a.ID, DetectedAt: now,
		SourceAt: a.PublishedAt, Evidence: announcementEvidence(a)}
	if len(c.Symbols) > 0 {
		base.Symbol = c.Symbols[0]
	}
	title := capTitle(a.Title)
	// "Ahead" and "not over" are judged against the publication: the news
	// is what the rival said then, whenever this sweep read it.
	ref := a.PublishedAt
	if ref.IsZero() {
		ref = now
	}
	var out []Change
	add := func(t Type, symbol, newValue string) {
		ch := base
		ch.Type, ch.Symbol, ch.New = t, symbol, newValue
		ch.Evidence = maps.Clone(base.Evidence)
		out = append(out, ch)
	}
	switch c.Category {
	case "perp_launch":
		if c.StartsAt.IsZero() || !c.StartsAt.After(ref) {
			break
		}
		syms := c.Symbols
		if len(syms) == 0 {
			syms = []string{""}
		}
		for _, s := range syms {
			add(ListingAnnounced, s, "launch "+formatWhen(c.StartsAt, c.StartsDateOnly))
		}
	case "delisting":
		what := title
		if !c.StartsAt.IsZero() {
			what = "settles " + formatWhen(c.StartsAt, c.StartsDateOnly)
		}
		add(DelistingAnnounced, base.Symbol, what)
	case "funding_change":
		what := title
		if c.FundingIntervalHours > 0 {
			what = "funding every " + formatHours(c.FundingIntervalHours)
		}
		add(FundingAnnounced, base.Symbol, what)
	case "leverage_margin_change":
		what := title
		if c.MaxLeverage > 0 {
			what = "max leverage " + formatNumber(c.MaxLeverage) + "x"
		}
		add(ParamsAnnounced, base.Symbol, what)
	case "fee_change":
		add(FeeAnnounced, base.Symbol, title)
	}
	if c.Category == "fee_promo" {
		add(FeeAnnounced, base.Symbol, title)
	}
	if IsPromo(c.Category) && (c.EndsAt.IsZero() || c.EndsAt.After(ref)) {
		add(PromoNew, base.Symbol, title)
	}
	return out
}

// EndingPromos fires promo.ending, once per campaign, for each active
// campaign whose end falls within cfg.PromoEndingWithin after at.
func EndingPromos(cfg Config, exchange string, active []collectors.Announcement, at time.Time, snapshotID int64) []Change {
	cfg = cfg.withDefaults()
	var out []Change
	for _, a := range active {
		end := a.Class.EndsAt
		if !IsPromo(a.Class.Category) || end.IsZero() || !end.After(at) || end.Sub(at) > cfg.PromoEndingWithin {
			continue
		}
		ch := Change{Exchange: exchange, Kind: collectors.KindAnnouncements, Type: PromoEnding, Field: a.ID,
			Old: capTitle(a.Title), New: "ends " + formatWhen(end, a.Class.EndsDateOnly), DetectedAt: at,
			SourceAt: a.PublishedAt, Evidence: announcementEvidence(a)}
		ch.Evidence["hours_left"] = end.Sub(at).Hours()
		if len(a.Class.Symbols) > 0 {
			ch.Symbol = a.Class.Symbols[0]
		}
		out = append(out, ch)
	}
	return finishFeed(cfg, out, snapshotID)
}

// LinkAnnounced links each listing.new and listing.prelaunch of one
// exchange to the perp launch announcement of the same coin, if the
// exchange published one: the event gains the announcement's times
// (announced_at, announcement_seen_at, launch_at; Unix seconds) and its
// SourceAt, so the digest shows how far ahead it was announced. anns are
// the exchange's stored perp launch announcements, any order; the newest
// one published before the listing was detected wins.
func LinkAnnounced(changes []Change, anns []collectors.Announcement) []Change {
	for i := range changes {
		c := &changes[i]
		if c.Type != ListingNew && c.Type != ListingPrelaunch {
			continue
		}
		coin := coinOfUnified(c.Unified)
		var best *collectors.Announcement
		for j := range anns {
			a := &anns[j]
			if a.Exchange != c.Exchange || a.Class.Category != "perp_launch" || a.ObservedAt.After(c.DetectedAt) || !namesCoin(a.Class.Symbols, coin) {
				continue
			}
			if best == nil || a.PublishedAt.After(best.PublishedAt) {
				best = a
			}
		}
		if best == nil {
			continue
		}
		if c.Evidence == nil {
			c.Evidence = map[string]float64{}
		}
		c.Evidence["announced_at"] = unix(best.PublishedAt)
		c.Evidence["announcement_seen_at"] = unix(best.ObservedAt)
		if !best.Class.StartsAt.IsZero() {
			c.Evidence["launch_at"] = unix(best.Class.StartsAt)
		}
		c.SourceAt = best.PublishedAt
	}
	return changes
}

// AnnouncedCoin is the coin an announced symbol names: AVNTUSDT, AVNT-USDT-SWAP,
// BTCUSDT_260327 and 1000PEPEUSDT give AVNT, AVNT, BTC and PEPE; a bare
// ticker is its own coin.
func AnnouncedCoin(symbol string) string {
	s := strings.ToUpper(symbol)
	if i := strings.IndexAny(s, "_-"); i > 0 {
		s = s[:i]
	}
	for _, q := range []string{"USDT", "USDC", "USD"} {
		if t, ok := strings.CutSuffix(s, q); ok && t != "" {
			s = t
			break
		}
	}
	return collectors.Coin(s)
}

func namesCoin(symbols []string, coin string) bool {
	if coin == "" {
		return false
	}
	for _, s := range symbols {
		if AnnouncedCoin(s) == coin {
			return true
		}
	}
	return false
}

// coinOfUnified is the coin of a unified symbol, multiplier stripped.
func coinOfUnified(unified string) string {
	base, _, _ := strings.Cut(unified, "/")
	return collectors.Coin(strings.ToUpper(base))
}

// announcementEvidence holds an announcement's numbers: the pool (amount,
// and in USD when the currency is USD or a USD stablecoin), its window and
// times as Unix seconds, leverage and funding interval.
func announcementEvidence(a collectors.Announcement) map[string]float64 {
	c := a.Class
	ev := map[string]float64{}
	if c.RewardAmount > 0 {
		ev["pool_amount"] = c.RewardAmount
		if IsUSD(c.RewardCurrency) {
			ev["pool_usd"] = c.RewardAmount
		}
	}
	if !c.StartsAt.IsZero() {
		ev["starts_at"] = unix(c.StartsAt)
	}
	if !c.EndsAt.IsZero() {
		ev["ends_at"] = unix(c.EndsAt)
		if !c.StartsAt.IsZero() && c.EndsAt.After(c.StartsAt) {
			ev["days"] = c.EndsAt.Sub(c.StartsAt).Hours() / 24
		}
	}
	if !a.PublishedAt.IsZero() {
		ev["published_at"] = unix(a.PublishedAt)
	}
	if c.MaxLeverage > 0 {
		ev["max_leverage"] = c.MaxLeverage
	}
	if c.FundingIntervalHours > 0 {
		ev["funding_interval_hours"] = c.FundingIntervalHours
	}
	return ev
}

// usdCurrencies are the pool currencies worth one dollar each; the
// announcements view (store/migrations/0005_announcements.sql) lists the same.
var usdCurrencies = map[string]bool{"USD": true, "USDT": true, "USDC": true, "FDUSD": true, "DAI": true,
	"USDE": true, "PYUSD": true, "TUSD": true, "BUSD": true, "USD1": true}

// IsUSD reports whether a currency is the dollar or a USD stablecoin.
func IsUSD(currency string) bool { return usdCurrencies[strings.ToUpper(currency)] }

// finishFeed is finish for events whose news is an article: the ID leaves
// the snapshot out, so the same news seen by two sweeps is one event.
func finishFeed(cfg Config, changes []Change, snapshotID int64) []Change {
	out := finish(cfg, changes)
	for i := range out {
		out[i].SnapshotTo = snapshotID
	}
	return out
}

func unix(t time.Time) float64 { return float64(t.Unix()) }

// formatWhen prints a time to the minute in UTC, or a bare day.
func formatWhen(t time.Time, dateOnly bool) string {
	if dateOnly {
		return t.UTC().Format(time.DateOnly)
	}
	return formatTime(t)
}

func capTitle(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), " ")
	if utf8.RuneCountInString(s) <= maxTitleRunes {
		return s
	}
	return string([]rune(s)[:maxTitleRunes-1]) + "…"
}
