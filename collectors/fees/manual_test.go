package fees

import (
	"strings"
	"testing"

	"github.com/rivalwatch/rivalwatch/collectors"
)

func TestManualFee(t *testing.T) {
	m := Manual{Exchange: "bybit", Product: collectors.ProductUSDC, Tier: "MM1", Maker: -0.00005, Taker: 0.0002, Min30dVolumeUSD: 1e9}
	if err := m.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	got := m.Fee(observed)
	want := collectors.Fee{Exchange: "bybit", Product: "usdc", Tier: "MM1", MakerRate: -0.00005, TakerRate: 0.0002,
		Min30dVolumeUSD: 1e9, Source: collectors.FeeSourceManual, ObservedAt: observed}
	if got != want {
		t.Errorf("Fee = %+v, want %+v", got, want)
	}
}

func TestManualValidateReportsEverything(t *testing.T) {
	err := Manual{Product: "spot", Maker: 0.02, Taker: 0.0005, MinBalanceUSD: -1}.Validate()
	for _, s := range []string{"exchange is required", "tier is required", `product "spot"`, "maker 0.02 is not a fraction", "thresholds cannot be negative"} {
		if err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("Validate = %v, want it to say %q", err, s)
		}
	}
}

func TestDefaultPagesAreValid(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range DefaultPages() {
		if err := s.Validate(); err != nil {
			t.Errorf("%s: %v", s.Name(), err)
		}
		if seen[s.Name()] {
			t.Errorf("%s listed twice", s.Name())
		}
		seen[s.Name()] = true
	}
}

func TestPageSpecValidateReportsEverything(t *testing.T) {
	err := PageSpec{Product: "perp", URL: "fees.html", Selector: "table[", Render: "chrome"}.Validate()
	for _, s := range []string{"exchange is required", "columns.tier is required", "columns.maker is required",
		"columns.taker is required", `product "perp"`, `url "fees.html"`, `selector "table["`, `render "chrome"`} {
		if err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("Validate = %v, want it to say %q", err, s)
		}
	}
}
