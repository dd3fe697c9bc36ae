package reports

import (
	"strings"
	"testing"

	"github.com/rivalwatch/rivalwatch/diff"
)

func TestFeeTable(t *testing.T) {
	rows, exchanges := feeTable(testHouse(), testFees())
	if strings.Join(exchanges, ",") != "binance,bybit,okx" {
		t.Fatalf("exchanges %v", exchanges)
	}
	type cellWant struct {
		text, tier string
		undercuts  bool
	}
	want := map[string][]cellWant{
		// Our VIP0 pays 2 / 5 bps: Binance's cut undercuts, Bybit is dearer,
		// OKX's table starts above our volume.
		"VIP0": {{"2 / 4.5 bps", "VIP0", true}, {"2 / 5.5 bps", "VIP0", false}, {"n/a", "", false}},
		// At $15M: Binance VIP1 (from $15M), Bybit VIP1 (from $10M).
		"VIP1": {{"1.6 / 4 bps", "VIP1", false}, {"1.8 / 4 bps", "VIP1", false}, {"n/a", "", false}},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for _, r := range rows {
		for i, c := range r.Rivals {
			w := want[r.Tier][i]
			if c.Text != w.text || c.Tier != w.tier || c.Undercuts != w.undercuts {
				t.Errorf("%s %s: %+v, want %+v", r.Tier, c.Exchange, c, w)
			}
		}
	}
	if rows, _ := feeTable(House{}, testFees()); rows != nil {
		t.Errorf("no house tiers: want no table, got %v", rows)
	}
}

func TestFeeSymbolRule(t *testing.T) {
	pb := loadPlaybook(t)
	var rule Rule
	for _, r := range pb.Rules {
		if r.Type == string(diff.FeeSymbol) {
			rule = r
		}
	}
	// Bybit waives SOL's taker fee; we list SOL at $40M a day and 5 bps.
	c := change("bybit", diff.FeeSymbol, "SOLUSDT", "", "USDⓈ-M", "tier rate: maker 2 bps, taker 5.5 bps",
		"maker 0 bps, taker 0 bps", diff.Medium, 2,
		map[string]float64{"maker_rate": 0, "taker_rate": 0, "tier_maker_rate": 0.0002, "tier_taker_rate": 0.00055,
			"taker_discount": 0.00055, "maker_discount": 0.0002})
	got := fire(t, rule, c)
	if len(got) != 1 {
		t.Fatalf("fired %d times", len(got))
	}
	// $1.2B / 30 = $40M a day; × 5 bps × 14 = $280K. Break-even:
	// 5 bps / (5 bps × 60% − 5 bps) is negative: matching a waiver never pays.
	for _, s := range []string{"instead of its tier's 5.5 bps", "$40M × 5 bps × 14 = $280K", "+n/a volume"} {
		if !strings.Contains(got[0].Text, s) {
			t.Errorf("suggestion %q lacks %q", got[0].Text, s)
		}
	}
}
