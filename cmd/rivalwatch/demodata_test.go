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
// divergence between rivals, a leverage increase, a cap change and a
// delisting.
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
	return day1, day2
}

func clone(w *exchangetest.World) *exchangetest.World {
	c := *w
	c.Binance = append([]exchangetest.Listing(nil), w.Binance...)
	c.Bybit = append([]exchangetest.Listing(nil), w.Bybit...)
	c.OKX = append([]exchangetest.Listing(nil), w.OKX...)
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
	rec := replay.NewRecorder(handlerTransport{exchangetest.Handler(w, exchangetest.Options{})})
	rec.Now = func() time.Time { return w.Now }
	cs, err := buildCollectors(cfg, "", func() http.RoundTripper { return rec }, nil)
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
