package diff

import (
	"strings"
	"testing"
)

func TestFilter(t *testing.T) {
	changes := []Change{
		{Exchange: "binance", Type: ListingNew, Symbol: "BTCUSDC", Unified: "BTC/USDC:USDC"},
		{Exchange: "bybit", Type: ListingNew, Symbol: "BTCPERP", Unified: "BTC/USDC:USDC"},
		{Exchange: "okx", Type: FundingExtreme, Symbol: "ETH-USDT-SWAP", Unified: "ETH/USDT:USDT"},
		{Exchanges: []string{"binance", "okx"}, Type: FundingDivergence, Symbol: "PEPE/USDT:USDT", Unified: "PEPE/USDT:USDT"},
		{Exchange: "bybit", Type: MarketOISpike, Symbol: "1000PEPEUSDT", Unified: "1000PEPE/USDT:USDT"},
	}
	tests := []struct {
		name   string
		ignore []Ignore
		want   []string // symbols kept
	}{
		{name: "nothing ignored", want: []string{"BTCUSDC", "BTCPERP", "ETH-USDT-SWAP", "PEPE/USDT:USDT", "1000PEPEUSDT"}},
		{name: "star spans the slash of a unified symbol", ignore: []Ignore{{Symbol: "*USDC*"}}, want: []string{"ETH-USDT-SWAP", "PEPE/USDT:USDT", "1000PEPEUSDT"}},
		{name: "pattern with a slash keeps path semantics", ignore: []Ignore{{Symbol: "*/USDT:*"}}, want: []string{"BTCUSDC", "BTCPERP"}},
		{name: "exchange matches a side of a divergence", ignore: []Ignore{{Exchange: "okx"}}, want: []string{"BTCUSDC", "BTCPERP", "1000PEPEUSDT"}},
		{name: "all fields must match", ignore: []Ignore{{Exchange: "bybit", Type: ListingNew}}, want: []string{"BTCUSDC", "ETH-USDT-SWAP", "PEPE/USDT:USDT", "1000PEPEUSDT"}},
		{name: "exchange symbol glob", ignore: []Ignore{{Symbol: "1000*"}}, want: []string{"BTCUSDC", "BTCPERP", "ETH-USDT-SWAP", "PEPE/USDT:USDT"}},
		{name: "bad pattern ignores nothing", ignore: []Ignore{{Symbol: "[BTC"}}, want: []string{"BTCUSDC", "BTCPERP", "ETH-USDT-SWAP", "PEPE/USDT:USDT", "1000PEPEUSDT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range Filter(Config{Ignore: tt.ignore}, changes) {
				got = append(got, c.Symbol)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("kept %q, want %q", got, tt.want)
			}
		})
	}
}

// TestZeroConfig checks that a zero Config behaves like the defaults
// instead of firing on everything.
func TestZeroConfig(t *testing.T) {
	runs := []Snap{snap(1, perp("BTCUSDT"), perp("ETHUSDT")), snap(2, perp("BTCUSDT"))}
	if got := Listings(Config{}, "binance", runs, nil); len(got) != 0 {
		t.Errorf("absent once with a zero Config: got %q, want nothing", summary(got))
	}
	if got := Funding(Config{}, "okx", fsnap(1, fund("okx", "A", "A/USDT:USDT", 0, 8)), fsnap(2, fund("okx", "A", "A/USDT:USDT", 0.0002, 8))); len(got) != 0 {
		t.Errorf("+21.9%%/yr funding with a zero Config: got %q, want nothing", summary(got))
	}
}
