package diff

import (
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

func ann(id, category, title string, c collectors.Classification) collectors.Announcement {
	c.Category = category
	return collectors.Announcement{Exchange: "binance", ID: id, Title: title, PublishedAt: t0.Add(-time.Hour),
		ObservedAt: t0, Class: c}
}

func asnap(id int64, anns ...collectors.Announcement) Snap {
	return Snap{ID: id, At: t0, Records: collectors.Records{Announcements: anns}}
}

// TestAnnouncementEvents: each category fires its event at once, with
// the article's times; what is already over (a past launch, an ended
// campaign) fires nothing; a fee promotion is both a promotion and a fee
// notice; the same article seen by a later sweep keeps its event IDs.
func TestAnnouncementEvents(t *testing.T) {
	later, earlier := t0.Add(30*time.Hour), t0.Add(-48*time.Hour)
	anns := []collectors.Announcement{
		ann("a1", "perp_launch", "Binance Futures Will Launch AVNTUSDT and 4USDT Perpetual Contracts",
			collectors.Classification{Symbols: []string{"AVNTUSDT", "4USDT"}, StartsAt: later, MaxLeverage: 50}),
		ann("a2", "perp_launch", "Binance Futures Launched OLDUSDT",
			collectors.Classification{Symbols: []string{"OLDUSDT"}, StartsAt: earlier}),
		ann("a3", "trading_competition", "WILD Trading Competition: Share $1.2M "+strings.Repeat("<script>", 40),
			collectors.Classification{Symbols: []string{"WILD"}, RewardAmount: 1.2e6, RewardCurrency: "USD", StartsAt: t0, EndsAt: t0.Add(7 * 24 * time.Hour)}),
		ann("a4", "airdrop", "Ended airdrop", collectors.Classification{EndsAt: earlier}),
		ann("a5", "fee_promo", "Zero maker fees on SOLUSDT", collectors.Classification{Symbols: []string{"SOLUSDT"}, EndsAt: later}),
		ann("a6", "funding_change", "Funding interval update", collectors.Classification{Symbols: []string{"SOLUSDT"}, FundingIntervalHours: 4}),
		ann("a7", "delisting", "Binance Futures Will Delist ORDIUSDT", collectors.Classification{Symbols: []string{"ORDIUSDT"}, StartsAt: later}),
		ann("a8", "leverage_margin_change", "Leverage update", collectors.Classification{Symbols: []string{"TONUSDT"}, MaxLeverage: 75}),
		ann("a9", "listing", "Binance Will List FOO", collectors.Classification{Symbols: []string{"FOO"}}),
	}
	got := Announcements(DefaultConfig(), "binance", asnap(5, anns...))
	type key struct {
		typ    Type
		symbol string
		new    string
	}
	want := map[key]bool{
		{ListingAnnounced, "AVNTUSDT", "launch 2026-03-02 06:00 UTC"}:    true,
		{ListingAnnounced, "4USDT", "launch 2026-03-02 06:00 UTC"}:       true,
		{PromoNew, "SOLUSDT", "Zero maker fees on SOLUSDT"}:              true,
		{FeeAnnounced, "SOLUSDT", "Zero maker fees on SOLUSDT"}:          true,
		{FundingAnnounced, "SOLUSDT", "funding every 4 h"}:               true,
		{DelistingAnnounced, "ORDIUSDT", "settles 2026-03-02 06:00 UTC"}: true,
		{ParamsAnnounced, "TONUSDT", "max leverage 75x"}:                 true,
	}
	var promo *Change
	for i, c := range got {
		if c.Type == PromoNew && c.Symbol == "WILD" {
			promo = &got[i]
			continue
		}
		if !want[key{c.Type, c.Symbol, c.New}] {
			t.Errorf("unexpected %s %s %q", c.Type, c.Symbol, c.New)
		}
		delete(want, key{c.Type, c.Symbol, c.New})
		if !c.SourceAt.Equal(t0.Add(-time.Hour)) || c.SnapshotTo != 5 || c.Field == "" {
			t.Errorf("%s %s: source %v, snapshot %d, field %q", c.Type, c.Symbol, c.SourceAt, c.SnapshotTo, c.Field)
		}
	}
	for k := range want {
		t.Errorf("missing %+v", k)
	}
	if promo == nil {
		t.Fatal("no promo.new for the competition")
	}
	if n := len([]rune(promo.New)); n > maxTitleRunes || promo.Evidence["pool_usd"] != 1.2e6 || promo.Evidence["days"] != 7 {
		t.Errorf("competition: %d runes, evidence %v", n, promo.Evidence)
	}
	again := Announcements(DefaultConfig(), "binance", asnap(9, anns...))
	for i := range got {
		if got[i].ID != again[i].ID {
			t.Errorf("%s %s: ID %s then %s: the same news must be one event", got[i].Type, got[i].Symbol, got[i].ID, again[i].ID)
		}
	}
}

// TestEndingPromos fires within the window only, and not for what ended.
func TestEndingPromos(t *testing.T) {
	cfg := DefaultConfig()
	cfg.PromoEndingWithin = 24 * time.Hour
	active := []collectors.Announcement{
		ann("soon", "trading_competition", "Soon", collectors.Classification{EndsAt: t0.Add(10 * time.Hour)}),
		ann("later", "airdrop", "Later", collectors.Classification{EndsAt: t0.Add(48 * time.Hour)}),
		ann("over", "launchpool", "Over", collectors.Classification{EndsAt: t0.Add(-time.Hour)}),
		ann("notpromo", "listing", "Listing", collectors.Classification{EndsAt: t0.Add(time.Hour)}),
	}
	got := EndingPromos(cfg, "binance", active, t0, 3)
	if len(got) != 1 || got[0].Field != "soon" || got[0].Evidence["hours_left"] != 10 || got[0].Type != PromoEnding {
		t.Errorf("got %+v", got)
	}
}

// TestLinkAnnounced links a new listing to the same coin's perp launch
// announcement of the same exchange, never to another exchange's, and
// never to one seen after the listing.
func TestLinkAnnounced(t *testing.T) {
	detected := t0.Add(24 * time.Hour)
	launch := ann("z", "perp_launch", "ZORA", collectors.Classification{Symbols: []string{"ZORAUSDT"}, StartsAt: t0.Add(20 * time.Hour)})
	other := launch
	other.Exchange = "bybit"
	late := launch
	late.ID, late.ObservedAt = "late", detected.Add(time.Hour)
	changes := []Change{
		{Exchange: "binance", Type: ListingNew, Symbol: "ZORAUSDT", Unified: "ZORA/USDT:USDT", DetectedAt: detected},
		{Exchange: "binance", Type: ListingNew, Symbol: "MEGAUSDT", Unified: "MEGA/USDT:USDT", DetectedAt: detected},
	}
	got := LinkAnnounced(changes, []collectors.Announcement{other, late, launch})
	if ev := got[0].Evidence; ev["announced_at"] != unix(launch.PublishedAt) || ev["launch_at"] != unix(t0.Add(20*time.Hour)) ||
		ev["announcement_seen_at"] != unix(t0) || !got[0].SourceAt.Equal(launch.PublishedAt) {
		t.Errorf("ZORA: %+v", got[0])
	}
	if got[1].Evidence != nil || !got[1].SourceAt.IsZero() {
		t.Errorf("MEGA was never announced: %+v", got[1])
	}
}

func TestAnnouncedCoin(t *testing.T) {
	for in, want := range map[string]string{"AVNTUSDT": "AVNT", "AVNT-USDT-SWAP": "AVNT", "BTCUSDT_260327": "BTC",
		"1000PEPEUSDT": "PEPE", "RUNEUSD": "RUNE", "WILD": "WILD", "4USDT": "4", "龙虾USDT": "龙虾"} {
		if got := AnnouncedCoin(in); got != want {
			t.Errorf("AnnouncedCoin(%q) = %q, want %q", in, got, want)
		}
	}
}
