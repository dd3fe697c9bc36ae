package diff

import (
	"testing"

	"github.com/rivalwatch/rivalwatch/collectors"
)

func TestFunding(t *testing.T) {
	btc := func(rate, interval float64) collectors.Funding {
		return fund("okx", "BTC-USDT-SWAP", "BTC/USDT:USDT", rate, interval)
	}
	capped := func(f collectors.Funding, cap, floor float64) collectors.Funding {
		f.Cap, f.Floor = cap, floor
		return f
	}
	eth := fund("okx", "ETH-USDT-SWAP", "ETH/USDT:USDT", 0.0001, 8)

	tests := []struct {
		name       string
		cfg        Config
		prev, next Snap
		want       []string
	}{
		{name: "no previous snapshot", prev: Snap{}, next: fsnap(1, btc(0.01, 8))},
		{name: "same snapshot", prev: fsnap(1, btc(0.01, 8)), next: fsnap(1, btc(0.01, 8))},
		{name: "rate noise", prev: fsnap(1, btc(0.0001, 8)), next: fsnap(2, btc(0.0003, 8))},
		{
			name: "interval 8h to 4h",
			prev: fsnap(1, btc(0.0001, 8), eth), next: fsnap(2, btc(0.0001, 4), eth),
			want: []string{"funding.interval okx BTC-USDT-SWAP: 8 h → 4 h (high)"},
		},
		{name: "interval not known on one side", prev: fsnap(1, btc(0.0001, 0)), next: fsnap(2, btc(0.0001, 4))},
		{
			name: "cap and floor widened",
			prev: fsnap(1, capped(btc(0.0001, 8), 0.00375, -0.00375)), next: fsnap(2, capped(btc(0.0001, 8), 0.005, -0.005)),
			want: []string{"funding.cap okx BTC-USDT-SWAP.cap/floor: ±37.5 bps per 8 h → ±50 bps per 8 h (medium)"},
		},
		{
			name: "cap raised alone",
			prev: fsnap(1, capped(btc(0.0001, 4), 0.01, -0.01)), next: fsnap(2, capped(btc(0.0001, 4), 0.02, -0.01)),
			want: []string{"funding.cap okx BTC-USDT-SWAP.cap: ±100 bps per 4 h → -100 bps / +200 bps per 4 h (medium)"},
		},
		// Binance shows a cap only while a symbol is in fundingInfo, which an
		// interval change alone puts it in: unpublished → published is no change.
		{name: "cap newly published", prev: fsnap(1, btc(0.0001, 8)), next: fsnap(2, capped(btc(0.0001, 8), 0.03, -0.03))},
		{
			name: "crossing into extreme",
			prev: fsnap(1, btc(0.0001, 8)), next: fsnap(2, btc(0.001, 8)),
			want: []string{"funding.extreme okx BTC-USDT-SWAP: +1 bps (+11%/yr) → +10 bps (+109.5%/yr) (medium)"},
		},
		{
			name: "negative extreme",
			prev: fsnap(1, btc(0.0001, 8)), next: fsnap(2, btc(-0.00095, 8)),
			want: []string{"funding.extreme okx BTC-USDT-SWAP: +1 bps (+11%/yr) → -9.5 bps (-104%/yr) (medium)"},
		},
		{name: "just below the threshold", prev: fsnap(1, btc(0.0001, 8)), next: fsnap(2, btc(0.0009, 8))},
		{name: "staying extreme does not repeat", prev: fsnap(1, btc(0.001, 8)), next: fsnap(2, btc(0.0015, 8))},
		{
			name: "extreme through a shorter interval",
			prev: fsnap(1, btc(0.0005, 8)), next: fsnap(2, btc(0.0005, 4)),
			want: []string{
				"funding.interval okx BTC-USDT-SWAP: 8 h → 4 h (high)",
				"funding.extreme okx BTC-USDT-SWAP: +5 bps (+54.8%/yr) → +5 bps (+109.5%/yr) (medium)",
			},
		},
		{
			name: "new symbol already extreme",
			prev: fsnap(1, eth), next: fsnap(2, eth, btc(0.002, 8)),
			want: []string{"funding.extreme okx BTC-USDT-SWAP:  → +20 bps (+219%/yr) (medium)"},
		},
		{
			name: "custom threshold",
			cfg:  Config{ExtremeAnnualized: 0.5},
			prev: fsnap(1, btc(0.0001, 8)), next: fsnap(2, btc(0.0005, 8)),
			want: []string{"funding.extreme okx BTC-USDT-SWAP: +1 bps (+11%/yr) → +5 bps (+54.8%/yr) (medium)"},
		},
		{
			name: "ignored type",
			cfg:  Config{Ignore: []Ignore{{Type: FundingExtreme}}},
			prev: fsnap(1, btc(0.0001, 8)), next: fsnap(2, btc(0.001, 4)),
			want: []string{"funding.interval okx BTC-USDT-SWAP: 8 h → 4 h (high)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Funding(tt.cfg, "okx", tt.prev, tt.next)
			checkSummary(t, got, tt.want)
			checkCommon(t, got, tt.next)
		})
	}
}

func TestFundingEvidence(t *testing.T) {
	got := Funding(DefaultConfig(), "binance",
		fsnap(1, fund("binance", "BLZUSDT", "BLZ/USDT:USDT", 0.0001, 8)),
		fsnap(2, fund("binance", "BLZUSDT", "BLZ/USDT:USDT", 0.002, 4)))
	want := map[Type]map[string]float64{
		FundingInterval: {"old_interval_hours": 8, "new_interval_hours": 4, "rate": 0.002, "annualized": 4.38},
		FundingExtreme:  {"rate": 0.002, "annualized": 4.38, "interval_hours": 4, "threshold_annualized": 1},
	}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %d changes", summary(got), len(want))
	}
	for _, c := range got {
		for k, v := range want[c.Type] {
			if !near(c.Evidence[k], v) {
				t.Errorf("%s evidence %s = %v, want %v", c.Type, k, c.Evidence[k], v)
			}
		}
		if c.SnapshotFrom != 1 || c.Kind != collectors.KindFunding {
			t.Errorf("%s: from snapshot %d kind %q, want 1 and funding", c.Type, c.SnapshotFrom, c.Kind)
		}
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func TestDivergence(t *testing.T) {
	binance := func(id int64, rate float64) Snap {
		return fsnap(id, fund("binance", "1000PEPEUSDT", "1000PEPE/USDT:USDT", rate, 8), fund("binance", "BTCUSDT", "BTC/USDT:USDT", 0.0001, 8))
	}
	okx := func(id int64, rate float64) Snap {
		return fsnap(id, fund("okx", "PEPE-USDT-SWAP", "PEPE/USDT:USDT", rate, 4), fund("okx", "BTC-USDT-SWAP", "BTC/USDT:USDT", 0.0001, 8))
	}
	bybit := func(id int64, rate float64) Snap {
		return fsnap(id, fund("bybit", "1000PEPEUSDT", "1000PEPE/USDT:USDT", rate, 8), fund("bybit", "BTCUSD", "BTC/USD:BTC", 0.003, 8))
	}
	tests := []struct {
		name       string
		cfg        Config
		prev, next map[string]Snap
		want       []string
	}{
		{
			name: "crossing, joined through the multiplier",
			prev: map[string]Snap{"binance": binance(1, 0.0001), "okx": okx(2, 0.0001)},
			next: map[string]Snap{"binance": binance(3, 0.0006), "okx": okx(4, -0.0001)},
			want: []string{"funding.divergence binance vs okx PEPE/USDT:USDT: +11%/yr spread → +87.6%/yr spread: binance +65.7%/yr vs okx -21.9%/yr (medium)"},
		},
		{
			name: "staying diverged does not repeat",
			prev: map[string]Snap{"binance": binance(1, 0.0006), "okx": okx(2, -0.0001)},
			next: map[string]Snap{"binance": binance(3, 0.0007), "okx": okx(4, -0.0001)},
		},
		{
			name: "below threshold",
			prev: map[string]Snap{"binance": binance(1, 0.0001), "okx": okx(2, 0.0001)},
			next: map[string]Snap{"binance": binance(3, 0.0003), "okx": okx(4, 0)},
		},
		{
			name: "one exchange alone never diverges",
			prev: map[string]Snap{"binance": binance(1, 0.0001)},
			next: map[string]Snap{"binance": binance(3, 0.01)},
		},
		{
			name: "inverse and linear are not joined",
			prev: map[string]Snap{"binance": binance(1, 0.0001), "bybit": bybit(2, 0.0001)},
			next: map[string]Snap{"binance": binance(3, 0.0001), "bybit": bybit(4, 0.0001)},
		},
		{
			name: "highest vs lowest of three, no previous sweep",
			next: map[string]Snap{"binance": binance(3, 0.0002), "okx": okx(4, 0.0008), "bybit": bybit(5, -0.0003)},
			want: []string{"funding.divergence okx vs bybit PEPE/USDT:USDT:  → +208.1%/yr spread: okx +175.2%/yr vs bybit -32.9%/yr (medium)"},
		},
		{
			name: "ignored exchange on either side",
			cfg:  Config{Ignore: []Ignore{{Exchange: "okx", Type: FundingDivergence}}},
			prev: map[string]Snap{"binance": binance(1, 0.0001), "okx": okx(2, 0.0001)},
			next: map[string]Snap{"binance": binance(3, 0.0006), "okx": okx(4, -0.0001)},
		},
		{
			name: "ignored coin by glob over the unified symbol",
			cfg:  Config{Ignore: []Ignore{{Symbol: "PEPE*"}}},
			prev: map[string]Snap{"binance": binance(1, 0.0001), "okx": okx(2, 0.0001)},
			next: map[string]Snap{"binance": binance(3, 0.0006), "okx": okx(4, -0.0001)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Divergence(tt.cfg, tt.prev, tt.next)
			checkSummary(t, got, tt.want)
		})
	}
}

func TestDivergenceEvent(t *testing.T) {
	prev := map[string]Snap{"binance": fsnap(1), "okx": fsnap(2)}
	next := map[string]Snap{
		"binance": fsnap(3, fund("binance", "1000PEPEUSDT", "1000PEPE/USDT:USDT", 0.0006, 8)),
		"okx":     fsnap(4, fund("okx", "PEPE-USDT-SWAP", "PEPE/USDT:USDT", -0.0001, 4)),
	}
	got := Divergence(DefaultConfig(), prev, next)
	if len(got) != 1 {
		t.Fatalf("got %q, want one divergence", summary(got))
	}
	c := got[0]
	for k, v := range map[string]float64{"annualized_binance": 0.657, "annualized_okx": -0.219, "spread_annualized": 0.876, "threshold_annualized": 0.5} {
		if !near(c.Evidence[k], v) {
			t.Errorf("evidence %s = %v, want %v", k, c.Evidence[k], v)
		}
	}
	if c.SnapshotFrom != 2 || c.SnapshotTo != 4 || !c.DetectedAt.Equal(at(4)) || c.Unified != "PEPE/USDT:USDT" {
		t.Errorf("snapshots %d→%d at %v unified %q, want 2→4 at %v PEPE/USDT:USDT", c.SnapshotFrom, c.SnapshotTo, c.DetectedAt, c.Unified, at(4))
	}
	if c.ID != ChangeID("binance vs okx", FundingDivergence, "PEPE/USDT:USDT", "", c.New, 4) {
		t.Errorf("ID %s is not ChangeID of its fields", c.ID)
	}
	if again := Divergence(DefaultConfig(), prev, next); again[0].ID != c.ID {
		t.Errorf("re-run changed the ID: %s then %s", c.ID, again[0].ID)
	}
}
