package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/diff"
)

func article(id, title string, published time.Time) collectors.Announcement {
	return collectors.Announcement{Exchange: "bybit", ID: id, Title: title, URL: "https://announcements.bybit.com/en/article" + id,
		Feed: "latest_activities", Body: "Prize pool 50,000 ARB", PublishedAt: published, ObservedAt: published.Add(time.Minute),
		Class: collectors.Classification{Category: "trading_competition", Rule: "competition_named", Symbols: []string{"ARB"},
			RewardAmount: 50_000, RewardCurrency: "ARB", StartsAt: published.Truncate(24 * time.Hour), StartsDateOnly: true,
			EndsAt: published.Add(72 * time.Hour)}}
}

func feedSnap(at time.Time, anns ...collectors.Announcement) collectors.Snapshot {
	return collectors.Snapshot{Exchange: "bybit", Kind: collectors.KindAnnouncements, StartedAt: at, Records: collectors.Records{Announcements: anns}}
}

// TestAnnouncementsFeed: articles are stored once each, by id and as
// reposts by title and day; a pull with nothing new is a complete,
// unchanged observation, never "implausibly few"; a body retried later
// updates the row; the view converts a token pool at our latest price.
func TestAnnouncementsFeed(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	first := article("/a1", "ARB Trading Competition", t0)
	missing := article("/a2", "Zero-fee week", t0)
	missing.Body, missing.BodyMissing = "", true
	saved := mustSave(t, s, feedSnap(t0, first, missing))
	got, err := s.Records(ctx, saved.SnapshotID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Announcements, []collectors.Announcement{first, missing}) {
		t.Errorf("round trip differs\n got %+v\nwant %+v", got.Announcements, []collectors.Announcement{first, missing})
	}
	if !s.HasBody("bybit", "/a1", first.Title) || s.HasBody("bybit", "/a2", missing.Title) || s.HasBody("bybit", "/a1", "Renamed") {
		t.Error("HasBody: want true for a stored body under the same title only")
	}

	for i, status := range []RunStatus{StatusNew, StatusUnchanged} {
		if got := mustSave(t, s, feedSnap(t0.Add(time.Duration(i+1)*time.Minute))); got.Status != status {
			t.Errorf("pull %d with nothing new: %s (%s), want %s", i+1, got.Status, got.Reason, status)
		}
	}

	repost := article("/a9", "ARB trading competition!", t0.Add(3*time.Hour))
	retried := missing
	retried.Body, retried.BodyMissing = "Zero maker fees", false
	later := mustSave(t, s, feedSnap(t0.Add(time.Hour), repost, retried))
	got, err = s.Records(ctx, later.SnapshotID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Announcements) != 1 || got.Announcements[0].ID != "/a2" || got.Announcements[0].Body != "Zero maker fees" {
		t.Errorf("after a repost and a retried body: %+v", got.Announcements)
	}
	if !s.HasBody("bybit", "/a9", repost.Title) {
		t.Error("a repost is kept as known, so it is not fetched every sweep")
	}

	mkt := collectors.Snapshot{Exchange: "binance", Kind: collectors.KindMarket, StartedAt: t0, Records: collectors.Records{Market: []collectors.MarketStat{
		{Exchange: "binance", Symbol: "ARBUSDT", Unified: "ARB/USDT:USDT", LastPrice: 0.5, Volume24hUSD: 1e6}}}}
	mustSave(t, s, mkt)
	rows := queryRows(t, s, `SELECT id, category, symbols, reward_pool_amount, reward_pool_currency, reward_pool_usd, starts_at, ends_at, observed_at
		FROM announcements ORDER BY id`)
	want := [][]any{
		{"/a1", "trading_competition", `["ARB"]`, 50000.0, "ARB", 25000.0, "2026-11-25", "2026-11-28T09:00:00.000Z", "2026-11-25T09:01:00.000Z"},
		{"/a2", "trading_competition", `["ARB"]`, 50000.0, "ARB", 25000.0, "2026-11-25", "2026-11-28T09:00:00.000Z", "2026-11-25T09:01:00.000Z"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("announcements view:\n got %v\nwant %v", rows, want)
	}
}

// TestReclassify rewrites stored classifications without fetching and
// reports how many changed.
func TestReclassify(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	mustSave(t, s, feedSnap(t0, article("/a1", "ARB Trading Competition", t0), article("/a2", "Airdrop", t0)))
	n, err := s.Reclassify(ctx, func(a *collectors.Announcement) {
		if a.Title == "Airdrop" {
			a.Class = collectors.Classification{Category: "airdrop", Rule: "airdrop"}
		}
	})
	if err != nil || n != 1 {
		t.Fatalf("reclassify: %d changed, %v", n, err)
	}
	rows := queryRows(t, s, `SELECT category, symbols, reward_pool_usd FROM announcements WHERE id = '/a2'`)
	if !reflect.DeepEqual(rows, [][]any{{"airdrop", "[]", nil}}) {
		t.Errorf("after reclassify: %v", rows)
	}
	active, err := s.Announcements(ctx, AnnouncementFilter{Categories: []string{"trading_competition"}, EndsAfter: t0.Add(24 * time.Hour)})
	if err != nil || len(active) != 1 || active[0].ID != "/a1" {
		t.Errorf("active competitions: %v %+v", err, active)
	}
}

// TestChangeSourceTime: an event's source time and detection lag reach
// the changes view.
func TestChangeSourceTime(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	c := diff.Change{ID: "e1", Exchange: "okx", Kind: collectors.KindAnnouncements, Type: diff.PromoNew,
		DetectedAt: t0.Add(90 * time.Second), SourceAt: t0, Severity: diff.Medium}
	if _, err := s.SaveChanges(ctx, []diff.Change{c}, nil); err != nil {
		t.Fatal(err)
	}
	rows := queryRows(t, s, `SELECT source_at, detection_lag_s FROM changes`)
	if !reflect.DeepEqual(rows, [][]any{{"2026-11-25T09:00:00.000Z", 90.0}}) {
		t.Errorf("changes: %v", rows)
	}
	got, err := s.Changes(ctx, t0, t0.Add(time.Hour))
	if err != nil || len(got) != 1 || !got[0].SourceAt.Equal(t0) {
		t.Errorf("read back: %v %+v", err, got)
	}
}

// TestYieldHistory: yield products round-trip in Pull's order and reach
// the yield_history view.
func TestYieldHistory(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	ys := []collectors.Yield{
		{Exchange: "okx", Product: "savings", Coin: "USDT", APR: 0.0345, Term: "flexible", ObservedAt: t0},
		{Exchange: "okx", Product: "savings", Coin: "BTC", APR: 0.01, Term: "flexible", ObservedAt: t0},
	}
	snap := collectors.Pull(ctx, yieldSource(ys), collectors.KindYield, func() time.Time { return t0 })
	saved := mustSave(t, s, snap)
	got, err := s.Records(ctx, saved.SnapshotID)
	if err != nil || !reflect.DeepEqual(got, snap.Records) {
		t.Errorf("round trip: %v\n got %+v\nwant %+v", err, got, snap.Records)
	}
	rows := queryRows(t, s, `SELECT exchange, product, coin, apr, term FROM yield_history ORDER BY coin`)
	want := [][]any{{"okx", "savings", "BTC", 0.01, "flexible"}, {"okx", "savings", "USDT", 0.0345, "flexible"}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("yield_history: %v", rows)
	}
}

// yieldSource is a collector publishing fixed yield products.
type yieldSource []collectors.Yield

func (yieldSource) Exchange() string { return "okx" }

func (y yieldSource) Pulls() collectors.Pulls {
	return collectors.Pulls{collectors.KindYield: collectors.YieldPull(func(context.Context) ([]collectors.Yield, error) { return y, nil })}
}
