package reports

import (
	"strings"
	"testing"
)

func TestHouseValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*House)
		want   []string
	}{
		{"valid", func(*House) {}, nil},
		{"empty profile", func(h *House) { *h = House{} }, nil},
		{"partly filled", func(h *House) { *h = House{Symbols: []string{"BTC/USDT:USDT"}} }, []string{"name is empty", "tiers: none given"}},
		{"no name", func(h *House) { h.Name = " " }, []string{"name is empty"}},
		{"no tiers", func(h *House) { h.Tiers = nil }, []string{"tiers: none given"}},
		{"fee in bps by mistake", func(h *House) { h.Tiers[0].Taker = 5 }, []string{"tiers[0] (VIP0): taker 5 is outside ±0.01"}},
		{"duplicate tier", func(h *House) { h.Tiers[1].Name = "VIP0" }, []string{"tiers[1] (VIP0): name is used twice"}},
		{"tiers out of order", func(h *House) { h.Tiers[1].Min30dVolumeUSD = 0 }, []string{"tiers[1] (VIP1): min_30d_volume_usd 0 must exceed"}},
		{"bad symbol", func(h *House) { h.Symbols[0] = "BTCUSDT" }, []string{`symbols[0]: "BTCUSDT" is not a unified symbol`, `volume_30d_usd: "BTC/USDT:USDT" is not in symbols`}},
		{"duplicate symbol", func(h *House) { h.Symbols = append(h.Symbols, "ETH/USDT:USDT") }, []string{`symbols[5]: "ETH/USDT:USDT" is listed twice`}},
		{"negative volume", func(h *House) { h.Volume30dUSD["ETH/USDT:USDT"] = -1 }, []string{`"ETH/USDT:USDT" is negative`}},
		{"margin as percent", func(h *House) { h.ContributionMargin = 60 }, []string{"contribution_margin 60 is outside 0..1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := testHouse()
			tt.modify(&h)
			errs := h.Validate()
			if len(errs) != len(tt.want) {
				t.Fatalf("got %v, want %d errors %q", errs, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(errs[i].Error(), w) {
					t.Errorf("error %d = %q, want %q", i, errs[i], w)
				}
			}
		})
	}
}
