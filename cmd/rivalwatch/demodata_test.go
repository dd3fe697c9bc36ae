package main

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/exchangetest"
	"github.com/rivalwatch/rivalwatch/collectors/replay"
	"github.com/rivalwatch/rivalwatch/configs"
)

var update = flag.Bool("update", false, "rewrite the demo cassettes and golden files")

// demoDay1 is what the rivals publish on the first recorded day.
var demoDay1 = time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)

// demoWorlds builds the two recorded days. Day two brings the changes the
// demo shows: a fast-follow candidate listed on two rivals, an upcoming
// listing, a funding interval cut on a coin we list, extreme funding and a
// divergence between rivals, a leverage increase, a cap change, a
// delisting and a rival's fee cut below ours.
func demoWorlds() (day1, day2 *exchangetest.World) {
	day1 = exchangetest.Generate(7, demoDay1, 40, 36, 30)
	for _, ls := range [][]exchangetest.Listing{day1.Binance, day1.Bybit, day1.OKX} {
		for i := range ls {
			switch ls[i].Base {
			case "SOL", "WIF":
				ls[i].FundingIntervalHours = 8
			case "TON":
				ls[i].MaxLeverage = 50
			}
		}
	}

	day2 = clone(day1)
	day2.Now = demoDay1.Add(24 * time.Hour)
	zora := exchangetest.Listing{Base: "ZORA", Quote: "USDT", Settle: "USDT", Status: collectors.StatusTrading,
		ListedAt: day2.Now.Add(-6 * time.Hour), TickSize: 0.00001, LotSize: 1, MinNotional: 5, MaxLeverage: 50,
		ContractSize: 1, FundingIntervalHours: 4, FundingCap: 0.02, FundingFloor: -0.02, FundingRate: 0.0005,
		Price: 0.08412, Volume24hUSD: 85_300_000, OpenInterestUSD: 21_000_000}
	day2.Binance = append(day2.Binance, zora)
	zoraBybit := zora
	zoraBybit.Volume24hUSD, zoraBybit.OpenInterestUSD = 31_800_000, 9_500_000
	day2.Bybit = append(day2.Bybit, zoraBybit)
	mega := zora
	mega.Base, mega.Status, mega.ListedAt, mega.Price = "MEGA", collectors.StatusPrelaunch, day2.Now.Add(30*time.Hour), 0.5
	mega.Volume24hUSD, mega.OpenInterestUSD = 0, 0
	day2.OKX = append(day2.OKX, mega)

	edit := func(ls []exchangetest.Listing, base string, f func(*exchangetest.Listing)) {
		for i := range ls {
			if ls[i].Base == base && ls[i].Quote != "USD" {
				f(&ls[i])
				return
			}
		}
		panic("demo world has no " + base)
	}
	edit(day2.Bybit, "SOL", func(l *exchangetest.Listing) { l.FundingIntervalHours = 4 })
	edit(day2.Binance, "WIF", func(l *exchangetest.Listing) { l.FundingIntervalHours, l.FundingRate = 4, 0.0015 })
	edit(day2.Bybit, "WIF", func(l *exchangetest.Listing) { l.FundingIntervalHours, l.FundingRate = 8, 0.0001 })
	edit(day2.OKX, "WIF", func(l *exchangetest.Listing) { l.FundingIntervalHours, l.FundingRate = 8, 0.00012 })
	edit(day2.Bybit, "TON", func(l *exchangetest.Listing) { l.MaxLeverage = 75 })
	edit(day2.OKX, "BTC", func(l *exchangetest.Listing) { l.FundingCap, l.FundingFloor = 0.005, -0.005 })
	edit(day2.Binance, "ORDI", func(l *exchangetest.Listing) { l.Status = collectors.StatusSettling })
	edit(day2.Binance, "XRP", func(l *exchangetest.Listing) { l.TickSize = 0.001 })
	edit(day2.Binance, "DOGE", func(l *exchangetest.Listing) { l.Volume24hUSD *= 1.8 })
	// Bybit cuts its VIP0 taker fee from 5.5 to 4.5 bps, below our 5 bps.
	day2.BybitFees = exchangetest.DefaultFees(0.0002, 0.00055)
	day2.BybitFees.Tiers[0].Taker = 0.00045
	demoNews(day1, day2)
	return day1, day2
}

// demoNews gives the demo days their announcements and yield products.
// Day one (the baseline) announces ZORA's launch on Binance and Bybit and
// runs a WIF competition; day two brings a perp launch announced ahead
// (MEGA), a trading competition with a pool, a fee promotion, a funding
// notice and a delisting notice, and a higher USDT savings rate on Bybit.
func demoNews(day1, day2 *exchangetest.World) {
	d1 := demoDay1
	day1.BinanceNews = []exchangetest.Article{
		{ID: "a1f0c2d4e6b8a0c2d4e6b8a0c2d4e6b8", Feed: "48", PublishedAt: d1.Add(-2 * time.Hour),
			Title: "Binance Futures Will Launch USDⓈ-Margined ZORAUSDT Perpetual Contract",
			Body: "Binance Futures will launch the USDⓈ-margined ZORAUSDT perpetual contract.\nContract | ZORAUSDT Perpetual Contract\n" +
				"Launch Time | 2026-11-25 02:00 (UTC)\nUnderlying Asset | ZORA\nSettlement Asset | USDT\nMaximum Leverage | 50x\n" +
				"Funding Fee Settlement Frequency | Every Four Hours"},
	}
	day1.BybitNews = []exchangetest.Article{
		{ID: "wif-trading-championship-blt5a1", Feed: "latest_activities", PublishedAt: d1.Add(-96 * time.Hour),
			EventStart: d1.Add(-94 * time.Hour), EventEnd: d1.Add(50 * time.Hour),
			Title: "WIF Trading Championship: Share 200,000 USDT",
			Body:  "Trade WIFUSDT perpetual contracts during the event.\nTotal prize pool: 200,000 USDT\nEach user can win up to 2,000 USDT."},
		{ID: "new-listing-zorausdt-perpetual-blt7c2", Feed: "new_crypto", PublishedAt: d1.Add(-90 * time.Minute),
			Title: "New Listing: ZORAUSDT Perpetual Contract, with up to 50x leverage",
			Body:  "Bybit will list the ZORAUSDT perpetual contract.\nLaunch time: Nov 25, 2026, 2AM UTC"},
	}
	day1.OKXNews = []exchangetest.Article{
		{ID: "okx-system-upgrade-2026-11-20", Feed: "announcements-latest-announcements", PublishedAt: d1.Add(-100 * time.Hour),
			Title: "OKX system upgrade on Nov 20, 2026", Body: "Trading will be unavailable for 30 minutes during the upgrade."},
	}

	d2 := day2.Now
	day2.BinanceNews = append(append([]exchangetest.Article(nil), day1.BinanceNews...),
		exchangetest.Article{ID: "b2e1d3c5a7f9b1d3c5a7f9b1d3c5a7f9", Feed: "49", PublishedAt: d2.Add(-5 * time.Hour),
			Title: "Binance Futures Will Update the Funding Rate Settlement Frequency of SOLUSDT Perpetual Contract",
			Body: "Binance Futures will change the funding fee settlement frequency of the SOLUSDT perpetual contract " +
				"from every eight hours to every four hours at 2026-11-26 08:00 (UTC)."},
		exchangetest.Article{ID: "c3f2e4d6b8a0c2e4d6b8a0c2e4d6b8a0", Feed: "48", PublishedAt: d2.Add(-2 * time.Hour),
			Title: "Binance Futures Will Launch USDⓈ-Margined MEGAUSDT Perpetual Contract (2026-11-26)",
			Body: "Binance Futures will launch the USDⓈ-margined MEGAUSDT perpetual contract.\nContract | MEGAUSDT Perpetual Contract\n" +
				"Launch Time | 2026-11-26 14:00 (UTC)\nUnderlying Asset | MEGA\nSettlement Asset | USDT\nTick Size | 0.00001\n" +
				"Maximum Leverage | 50x\nFunding Fee Settlement Frequency | Every Four Hours"},
	)
	day2.BybitNews = append(append([]exchangetest.Article(nil), day1.BybitNews...),
		exchangetest.Article{ID: "zora-trading-competition-blt9d4", Feed: "latest_activities", PublishedAt: d2.Add(-3 * time.Hour),
			EventStart: d2.Add(2 * time.Hour), EventEnd: d2.Add(170 * time.Hour),
			Title: "ZORA Trading Competition: Trade to Share a $500K Prize Pool",
			Body: "Trade ZORAUSDT perpetual contracts to share a prize pool of 500,000 USDT.\n" +
				"Each user can win up to 5,000 USDT. Wash trading is disqualified."},
	)
	day2.OKXNews = append(append([]exchangetest.Article(nil), day1.OKXNews...),
		exchangetest.Article{ID: "zero-maker-fees-sol-usdt-swap", Feed: "announcements-trading-updates", PublishedAt: d2.Add(-4 * time.Hour),
			Title: "Limited-time promotion: zero maker fees on SOL-USDT-SWAP perpetual futures",
			Body: "Promotion period: Nov 26, 2026 00:00 UTC to Dec 10, 2026 00:00 UTC. " +
				"Maker fees on SOL-USDT-SWAP are waived for all users during the promotion."},
		exchangetest.Article{ID: "okx-to-delist-ordi-usdt-swap", Feed: "announcements-delistings", PublishedAt: d2.Add(-6 * time.Hour),
			Title: "OKX to delist ORDI-USDT-SWAP perpetual contract",
			Body:  "OKX will delist the ORDI-USDT-SWAP perpetual contract at 08:00 UTC on Nov 28, 2026."},
	)
	day2.BybitEarn = append([]exchangetest.Earn(nil), day1.BybitEarn...)
	for i := range day2.BybitEarn {
		if day2.BybitEarn[i].Coin == "USDT" {
			day2.BybitEarn[i].APR = 0.08
		}
	}
}

func clone(w *exchangetest.World) *exchangetest.World {
	c := *w
	c.Binance = append([]exchangetest.Listing(nil), w.Binance...)
	c.Bybit = append([]exchangetest.Listing(nil), w.Bybit...)
	c.OKX = append([]exchangetest.Listing(nil), w.OKX...)
	c.BybitEarn = append([]exchangetest.Earn(nil), w.BybitEarn...)
	c.OKXEarn = append([]exchangetest.Earn(nil), w.OKXEarn...)
	return &c
}

// handlerTransport answers in-process from a handler, so recording needs
// no listener and the cassette names the real exchange hosts.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	return rec.Result(), nil
}

// recordWorld records one sweep of the real collectors against w.
func recordWorld(t testing.TB, w *exchangetest.World, dir string) {
	t.Helper()
	cfg, err := configs.LoadEmbedded("rivalwatch.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The fee pages are the demo's: the simulated exchanges serve them.
	demo, err := configs.LoadEmbedded("demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Fees = demo.Fees
	rec := replay.NewRecorder(handlerTransport{exchangetest.Handler(w, exchangetest.Options{})})
	rec.Now = func() time.Time { return w.Now }
	cs, err := buildCollectors(cfg, "", &transportHooks{base: func() http.RoundTripper { return rec }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, snap := range collectors.Sweep(context.Background(), cs, collectors.AllKinds, func() time.Time { return w.Now }, nil) {
		if snap.Err != nil {
			t.Fatalf("recording %s %s: %v", snap.Exchange, snap.Kind, snap.Err)
		}
	}
	if err := rec.Save(dir); err != nil {
		t.Fatal(err)
	}
}

// TestDemoCassettes checks the embedded cassettes are what the demo worlds
// record today; `go test ./cmd/rivalwatch -run TestDemoCassettes -update`
// rewrites them after a deliberate change.
func TestDemoCassettes(t *testing.T) {
	day1, day2 := demoWorlds()
	for i, w := range []*exchangetest.World{day1, day2} {
		name := filepath.Join("demodata", []string{"round1", "round2"}[i])
		if *update {
			if err := os.RemoveAll(name); err != nil {
				t.Fatal(err)
			}
			recordWorld(t, w, name)
			continue
		}
		tmp := t.TempDir()
		recordWorld(t, w, tmp)
		compareTrees(t, os.DirFS(tmp), os.DirFS(name), name)
	}
}

func compareTrees(t *testing.T, got, want fs.FS, name string) {
	t.Helper()
	seen := map[string]bool{}
	fs.WalkDir(got, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		seen[p] = true
		g, _ := fs.ReadFile(got, p)
		w, err := fs.ReadFile(want, p)
		if err != nil || !bytes.Equal(g, w) {
			t.Errorf("%s/%s differs from what the demo world records now; rerun with -update if the change is deliberate", name, p)
		}
		return nil
	})
	fs.WalkDir(want, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !seen[p] {
			t.Errorf("%s/%s is no longer recorded; rerun with -update", name, p)
		}
		return nil
	})
}
