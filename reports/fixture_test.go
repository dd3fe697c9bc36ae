package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/diff"
)

var (
	day       = time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
	generated = time.Date(2025, 3, 14, 8, 0, 0, 0, time.UTC)
)

// loadPlaybook decodes the default playbook the way the config loader does:
// strictly, unknown keys being errors.
func loadPlaybook(t *testing.T) Playbook {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "configs", "playbook.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var p Playbook
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("decode playbook.yaml: %v", err)
	}
	return p
}

func testHouse() House {
	return House{
		Name: "Our exchange",
		Tiers: []FeeTier{
			{Name: "VIP0", Maker: 0.0002, Taker: 0.0005},
			{Name: "VIP1", Maker: 0.00016, Taker: 0.0004, Min30dVolumeUSD: 15e6},
		},
		Symbols: []string{"BTC/USDT:USDT", "ETH/USDT:USDT", "SOL/USDT:USDT", "DOGE/USDT:USDT", "1000PEPE/USDT:USDT"},
		Volume30dUSD: map[string]float64{
			"BTC/USDT:USDT": 9e9, "ETH/USDT:USDT": 4.5e9, "SOL/USDT:USDT": 1.2e9,
			"DOGE/USDT:USDT": 4.5e8, "1000PEPE/USDT:USDT": 3e8,
		},
		ContributionMargin: 0.6,
	}
}

// venue names an exchange's symbol for a coin.
func venue(exchange, base string) string {
	switch exchange {
	case "okx":
		return base + "-USDT-SWAP"
	}
	return base + "USDT"
}

func testMarket() []collectors.MarketStat {
	type row struct {
		base          string
		vol, oi       [3]float64 // binance, bybit, okx
		skipExchanges map[string]bool
	}
	rows := []row{
		{base: "BTC", vol: [3]float64{18e9, 9e9, 7e9}, oi: [3]float64{8e9, 5e9, 3e9}},
		{base: "ETH", vol: [3]float64{9e9, 4e9, 3.5e9}, oi: [3]float64{5e9, 2.5e9, 4e9}},
		{base: "SOL", vol: [3]float64{3e9, 9e9, 1.1e9}, oi: [3]float64{1.5e9, 1e9, 0.5e9}},
		{base: "DOGE", vol: [3]float64{1.2e9, 0.6e9, 0.4e9}, oi: [3]float64{0.5e9, 0.3e9, 0.2e9}},
		{base: "1000PEPE", vol: [3]float64{0.8e9, 0.5e9, 0}, oi: [3]float64{0.3e9, 0.2e9, 0}, skipExchanges: map[string]bool{"okx": true}},
		{base: "PEPE", vol: [3]float64{0, 0, 0.3e9}, oi: [3]float64{0, 0, 0.1e9}, skipExchanges: map[string]bool{"binance": true, "bybit": true}},
		{base: "XYZ", vol: [3]float64{24e6, 0, 0}, skipExchanges: map[string]bool{"bybit": true, "okx": true}},
		{base: "WIF", vol: [3]float64{0.4e9, 0.3e9, 0.1e9}, oi: [3]float64{0.1e9, 0.1e9, 0.05e9}},
	}
	var out []collectors.MarketStat
	for _, r := range rows {
		for i, ex := range []string{"binance", "bybit", "okx"} {
			if r.skipExchanges[ex] {
				continue
			}
			out = append(out, collectors.MarketStat{
				Exchange: ex, Symbol: venue(ex, r.base), Unified: r.base + "/USDT:USDT",
				Volume24hUSD: r.vol[i], OpenInterestUSD: r.oi[i], ObservedAt: generated.Add(-10 * time.Minute),
			})
		}
	}
	return out
}

func testFunding() []collectors.Funding {
	type row struct {
		base     string
		rate     [3]float64
		interval [3]float64
	}
	rows := []row{
		{"BTC", [3]float64{0.000456, 0.0001, 0.0000457}, [3]float64{8, 8, 8}},
		{"ETH", [3]float64{0.0001, 0.00012, 0.00008}, [3]float64{8, 4, 8}},
		{"SOL", [3]float64{-0.0002, 0.0003, 0.0001}, [3]float64{8, 8, 8}},
		{"DOGE", [3]float64{0.0001, 0.0001, 0.0001}, [3]float64{8, 8, 8}},
		{"WIF", [3]float64{0.0005, -0.0001, 0.0002}, [3]float64{4, 8, 4}},
	}
	var out []collectors.Funding
	for _, r := range rows {
		for i, ex := range []string{"binance", "bybit", "okx"} {
			out = append(out, collectors.Funding{
				Exchange: ex, Symbol: venue(ex, r.base), Unified: r.base + "/USDT:USDT",
				Rate: r.rate[i], IntervalHours: r.interval[i], ObservedAt: generated.Add(-5 * time.Minute),
			})
		}
	}
	// 1000PEPE only on two exchanges, at an extreme rate on binance.
	out = append(out,
		collectors.Funding{Exchange: "binance", Symbol: "1000PEPEUSDT", Unified: "1000PEPE/USDT:USDT", Rate: 0.0025, IntervalHours: 4},
		collectors.Funding{Exchange: "bybit", Symbol: "1000PEPEUSDT", Unified: "1000PEPE/USDT:USDT", Rate: 0.0004, IntervalHours: 4},
	)
	return out
}

func change(ex string, t diff.Type, sym, unified, field, old, new string, sev diff.Severity, hour int, ev map[string]float64) diff.Change {
	c := diff.Change{
		Exchange: ex, Type: t, Symbol: sym, Unified: unified, Field: field, Old: old, New: new,
		Severity: sev, DetectedAt: day.Add(time.Duration(hour) * time.Hour), SnapshotFrom: 10, SnapshotTo: 11, Evidence: ev,
	}
	if a, b, ok := strings.Cut(ex, " vs "); ok { // a cross-exchange event
		c.Exchange, c.Exchanges = "", []string{a, b}
	}
	switch {
	case len(t) >= 8 && t[:8] == "funding.":
		c.Kind = collectors.KindFunding
	case len(t) >= 7 && t[:7] == "market.":
		c.Kind = collectors.KindMarket
	default:
		c.Kind = collectors.KindInstruments
	}
	c.ID = diff.ChangeID(ex, t, sym, field, new, 11)
	return c
}

func testChanges() []diff.Change {
	return []diff.Change{
		change("binance", diff.ListingNew, "XYZUSDT", "XYZ/USDT:USDT", "", "", "trading", diff.High, 3, nil),
		change("bybit", diff.ListingPrelaunch, "ABCUSDT", "ABC/USDT:USDT", "", "", "prelaunch", diff.Medium, 5, nil),
		change("okx", diff.ListingDelisted, "DOGE-USDT-SWAP", "DOGE/USDT:USDT", "", "trading", "delisted", diff.High, 6, nil),
		change("bybit", diff.ListingStatus, "WIFUSDT", "WIF/USDT:USDT", "", "trading", "suspended", diff.Medium, 2, nil),
		change("binance", diff.ListingParam, "BTCUSDT", "BTC/USDT:USDT", "max_leverage", "125x", "100x", diff.Low, 1,
			map[string]float64{"old": 125, "new": 100}),
		change("bybit", diff.FundingInterval, "ETHUSDT", "ETH/USDT:USDT", "", "8 h", "4 h", diff.High, 4,
			map[string]float64{"old_interval_hours": 8, "new_interval_hours": 4}),
		change("okx", diff.FundingCap, "SOL-USDT-SWAP", "SOL/USDT:USDT", "cap", "0.75%", "1.5%", diff.Low, 4,
			map[string]float64{"old": 0.0075, "new": 0.015}),
		change("binance", diff.FundingExtreme, "1000PEPEUSDT", "1000PEPE/USDT:USDT", "", "", "25 bps", diff.Medium, 7,
			map[string]float64{"rate": 0.0025, "annualized": 5.475}),
		change("binance vs okx", diff.FundingDivergence, "BTC/USDT:USDT", "BTC/USDT:USDT", "", "", "45%/yr", diff.Medium, 7,
			map[string]float64{"spread_annualized": 0.4493, "annualized_binance": 0.4993, "annualized_okx": 0.05}),
		change("bybit", diff.MarketVolumeSpike, "SOLUSDT", "SOL/USDT:USDT", "", "$2B", "$9B", diff.Medium, 7,
			map[string]float64{"volume_24h_usd": 9e9, "median_volume_usd": 2e9}),
		change("okx", diff.MarketOISpike, "ETH-USDT-SWAP", "ETH/USDT:USDT", "", "$1.5B", "$4B", diff.Low, 7,
			map[string]float64{"open_interest_usd": 4e9, "median_open_interest_usd": 1.5e9}),
		change("binance", diff.FeeTier, "", "", "USDⓈ-M VIP0 taker", "5 bps", "4.5 bps", diff.High, 1,
			map[string]float64{"old_rate": 0.0005, "new_rate": 0.00045, "cut": 0.00005, "taker": 1, "base_tier": 1,
				"old_maker": 0.0002, "new_maker": 0.0002, "old_taker": 0.0005, "new_taker": 0.00045, "min_30d_volume_usd": 0}),
	}
}

func testFreshness() []Freshness {
	var out []Freshness
	for _, ex := range []string{"okx", "bybit", "binance"} {
		for _, k := range []string{"market", "funding", "instruments"} {
			f := Freshness{Exchange: ex, Kind: k, LastComplete: generated.Add(-20 * time.Minute), LastRun: generated.Add(-20 * time.Minute)}
			switch {
			case ex == "bybit" && k == "market":
				f.LastRun = generated.Add(-5 * time.Minute)
				f.FailuresSince = 2
				f.LastError = "bybit market: HTTP 429 Too Many Requests, retry after 60 s"
			case ex == "okx" && k == "funding":
				f.LastComplete = generated.Add(-5*time.Hour - 30*time.Minute)
			}
			out = append(out, f)
		}
	}
	return out
}

func testInput(t *testing.T) Input {
	return Input{
		Date: day, GeneratedAt: generated,
		Changes: testChanges(), Funding: testFunding(), Market: testMarket(),
		Freshness: testFreshness(), House: testHouse(), Playbook: loadPlaybook(t), Fees: testFees(),
	}
}

// testFees are the rivals' USDⓈ-M schedules after Binance's VIP0 taker
// cut to 4.5 bps; OKX's table starts above our VIP1 threshold at Lv2.
func testFees() []collectors.Fee {
	tier := func(exchange, name string, maker, taker, volume float64) collectors.Fee {
		return collectors.Fee{Exchange: exchange, Product: collectors.ProductUSDM, Tier: name, MakerRate: maker, TakerRate: taker,
			Min30dVolumeUSD: volume, Source: collectors.FeeSourcePage}
	}
	return []collectors.Fee{
		tier("binance", "VIP0", 0.0002, 0.00045, 0), tier("binance", "VIP1", 0.00016, 0.0004, 15e6),
		tier("bybit", "VIP0", 0.0002, 0.00055, 0), tier("bybit", "VIP1", 0.00018, 0.0004, 10e6),
		tier("okx", "Lv2", 0.00015, 0.00035, 20e6),
		{Exchange: "bybit", Product: collectors.ProductUSDM, Tier: "account", Symbol: "PEPEUSDT", Source: collectors.FeeSourceAPI},
	}
}
