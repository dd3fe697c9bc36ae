package diff

import (
	"testing"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// tier is a page schedule row of Bybit's USDⓈ-M perpetuals.
func tier(name string, maker, taker, volume float64) collectors.Fee {
	return collectors.Fee{Exchange: "bybit", Product: collectors.ProductUSDM, Tier: name,
		MakerRate: maker, TakerRate: taker, Min30dVolumeUSD: volume, Source: collectors.FeeSourcePage}
}

// account is our account's rate on one symbol, at tier VIP0.
func account(symbol string, maker, taker float64) collectors.Fee {
	return collectors.Fee{Exchange: "bybit", Product: collectors.ProductUSDM, Tier: "VIP0", Symbol: symbol,
		MakerRate: maker, TakerRate: taker, Source: collectors.FeeSourceAPI}
}

func feeSnap(id int64, fs ...collectors.Fee) Snap {
	return Snap{ID: id, At: at(id), Records: collectors.Records{Fees: fs}}
}

func TestFees(t *testing.T) {
	vip0, vip1 := tier("VIP0", 0.0002, 0.00055, 0), tier("VIP1", 0.00016, 0.0004, 1e6)
	vip0cut := tier("VIP0", 0.0002, 0.00045, 0)
	vip1cut := tier("VIP1", 0.00016, 0.00035, 1e6)
	btc, eth := account("BTCUSDT", 0.0002, 0.00055), account("ETHUSDT", 0.0002, 0.00055)
	pepeFree := account("PEPEUSDT", 0, 0)

	tests := []struct {
		name       string
		cfg        Config
		prev, next Snap
		want       []string
	}{
		{name: "no previous snapshot", prev: Snap{}, next: feeSnap(1, vip0)},
		{name: "same schedule", prev: feeSnap(1, vip0, vip1), next: feeSnap(2, vip0, vip1)},
		{
			name: "a taker cut at the base tier is high",
			prev: feeSnap(1, vip0, vip1), next: feeSnap(2, vip0cut, vip1),
			want: []string{"fee.tier bybit .USDⓈ-M VIP0 taker: 5.5 bps → 4.5 bps (high)"},
		},
		{
			name: "a cut above the base tier is medium",
			prev: feeSnap(1, vip0, vip1), next: feeSnap(2, vip0, vip1cut),
			want: []string{"fee.tier bybit .USDⓈ-M VIP1 taker: 4 bps → 3.5 bps (medium)"},
		},
		{
			name: "a configured severity wins",
			cfg:  Config{Severities: map[Type]Severity{FeeTier: Low}},
			prev: feeSnap(1, vip0, vip1), next: feeSnap(2, vip0cut, vip1),
			want: []string{"fee.tier bybit .USDⓈ-M VIP0 taker: 5.5 bps → 4.5 bps (low)"},
		},
		{
			name: "a raise at the base tier, maker and taker",
			prev: feeSnap(1, vip0), next: feeSnap(2, tier("VIP0", 0.00025, 0.0006, 0)),
			want: []string{
				"fee.tier bybit .USDⓈ-M VIP0 maker: 2 bps → 2.5 bps (medium)",
				"fee.tier bybit .USDⓈ-M VIP0 taker: 5.5 bps → 6 bps (medium)",
			},
		},
		{
			name: "tiers added and removed",
			prev: feeSnap(1, vip0, vip1), next: feeSnap(2, vip0, tier("VIP2", 0.00014, 0.00035, 5e6)),
			want: []string{
				"fee.tier bybit .USDⓈ-M VIP1: maker 1.6 bps, taker 4 bps → tier removed (medium)",
				"fee.tier bybit .USDⓈ-M VIP2:  → new tier: maker 1.4 bps, taker 3.5 bps (medium)",
			},
		},
		{
			name: "a zero-fee symbol appears",
			prev: feeSnap(1, vip0, btc, eth), next: feeSnap(2, vip0, btc, eth, pepeFree),
			want: []string{"fee.symbol bybit PEPEUSDT.USDⓈ-M: tier rate: maker 2 bps, taker 5.5 bps → maker 0 bps, taker 0 bps (medium)"},
		},
		{
			name: "a symbol at its tier's rate is no event",
			prev: feeSnap(1, vip0, btc), next: feeSnap(2, vip0, btc, eth),
		},
		{
			name: "a promotion changes, then ends",
			prev: feeSnap(1, vip0, btc, pepeFree), next: feeSnap(2, vip0, btc, account("PEPEUSDT", 0, 0.0002)),
			want: []string{"fee.symbol bybit PEPEUSDT.USDⓈ-M: maker 0 bps, taker 0 bps → maker 0 bps, taker 2 bps (medium)"},
		},
		{
			name: "a promotion ends",
			prev: feeSnap(1, vip0, btc, pepeFree), next: feeSnap(2, vip0, btc, account("PEPEUSDT", 0.0002, 0.00055)),
			want: []string{"fee.symbol bybit PEPEUSDT.USDⓈ-M: maker 0 bps, taker 0 bps → ended: back to maker 2 bps, taker 5.5 bps (medium)"},
		},
		{
			name: "without a schedule, the account's common rate is the tier's",
			prev: feeSnap(1, btc, eth, account("SOLUSDT", 0.0002, 0.00055)),
			next: feeSnap(2, btc, eth, account("SOLUSDT", 0.0001, 0.0003)),
			want: []string{"fee.symbol bybit SOLUSDT.USDⓈ-M: tier rate: maker 2 bps, taker 5.5 bps → maker 1 bps, taker 3 bps (medium)"},
		},
		{
			name: "a promoted symbol no longer read",
			prev: feeSnap(1, vip0, btc, pepeFree), next: feeSnap(2, vip0, btc),
			want: []string{"fee.symbol bybit PEPEUSDT.USDⓈ-M: maker 0 bps, taker 0 bps → ended (no longer listed) (medium)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Fees(tt.cfg, "bybit", tt.prev, tt.next)
			checkSummary(t, got, tt.want)
			for _, c := range got {
				if c.ID != ChangeID(c.ExchangeLabel(), c.Type, c.Symbol, c.Field, c.New, c.SnapshotTo) || c.Kind != collectors.KindFees {
					t.Errorf("%s %s: ID or kind not set", c.Type, c.Field)
				}
			}
		})
	}
}

// TestFeesEvidence: the playbook's fee rules read these numbers.
func TestFeesEvidence(t *testing.T) {
	got := Fees(DefaultConfig(), "okx",
		feeSnap(1, tier("Lv1", 0.0002, 0.0005, 0)), feeSnap(2, tier("Lv1", 0.0002, 0.00045, 0)))
	if len(got) != 1 {
		t.Fatalf("got %q", summary(got))
	}
	ev := got[0].Evidence
	for k, want := range map[string]float64{"old_rate": 0.0005, "new_rate": 0.00045, "taker": 1, "base_tier": 1,
		"old_maker": 0.0002, "new_maker": 0.0002} {
		if v, ok := ev[k]; !ok || v != want {
			t.Errorf("evidence %s = %v (%v), want %v", k, v, ok, want)
		}
	}
	if c := ev["cut"]; c < 0.0000499 || c > 0.0000501 {
		t.Errorf("cut = %v, want 0.5 bps", c)
	}
}
