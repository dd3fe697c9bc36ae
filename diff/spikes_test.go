package diff

import (
	"testing"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// flat is n history points of one symbol at the same volume and OI.
func flat(symbol string, n int, volume, oi float64) []collectors.MarketStat {
	out := make([]collectors.MarketStat, n)
	for i := range out {
		out[i] = market(symbol, volume, oi)
	}
	return out
}

func TestSpikes(t *testing.T) {
	hist := flat("SOLUSDT", 12, 2e6, 1e6)
	tests := []struct {
		name       string
		cfg        *Config // nil: DefaultConfig
		history    []collectors.MarketStat
		prev, next Snap
		want       []string
	}{
		{
			name:    "volume spike",
			history: hist, prev: msnap(1, market("SOLUSDT", 2e6, 1e6)), next: msnap(2, market("SOLUSDT", 7e6, 1e6)),
			want: []string{"market.volume_spike bybit SOLUSDT: $2M → $7M (3.5× the median $2M) (medium)"},
		},
		{
			name:    "volume and OI spike",
			history: hist, prev: msnap(1, market("SOLUSDT", 2e6, 1e6)), next: msnap(2, market("SOLUSDT", 9e6, 4e6)),
			want: []string{
				"market.oi_spike bybit SOLUSDT: $1M → $4M (4× the median $1M) (medium)",
				"market.volume_spike bybit SOLUSDT: $2M → $9M (4.5× the median $2M) (medium)",
			},
		},
		{
			name:    "at the factor is no spike",
			history: hist, prev: msnap(1, market("SOLUSDT", 2e6, 1e6)), next: msnap(2, market("SOLUSDT", 6e6, 1e6)),
		},
		{
			name:    "silent without enough history",
			history: hist[:11], prev: msnap(1, market("SOLUSDT", 2e6, 1e6)), next: msnap(2, market("SOLUSDT", 9e6, 9e6)),
		},
		{
			name:    "OI not collected does not count as history",
			history: append(flat("SOLUSDT", 6, 2e6, 0), flat("SOLUSDT", 6, 2e6, 1e6)...),
			prev:    msnap(1, market("SOLUSDT", 2e6, 1e6)), next: msnap(2, market("SOLUSDT", 2e6, 9e6)),
		},
		{
			name:    "thin market below the USD floor",
			history: flat("TINYUSDT", 20, 1e5, 0), prev: msnap(1, market("TINYUSDT", 1e5, 0)), next: msnap(2, market("TINYUSDT", 9e5, 0)),
		},
		{
			name:    "no USD floor when configured so",
			cfg:     &Config{SpikeMinUSD: 0},
			history: flat("TINYUSDT", 20, 1e5, 0), prev: msnap(1, market("TINYUSDT", 1e5, 0)), next: msnap(2, market("TINYUSDT", 9e5, 0)),
			want: []string{"market.volume_spike bybit TINYUSDT: $100K → $900K (9× the median $100K) (medium)"},
		},
		{
			name:    "still spiking does not repeat",
			history: hist, prev: msnap(1, market("SOLUSDT", 8e6, 1e6)), next: msnap(2, market("SOLUSDT", 9e6, 1e6)),
		},
		{
			name:    "median, not mean: one earlier outlier does not hide a spike",
			history: append(flat("SOLUSDT", 12, 2e6, 1e6), market("SOLUSDT", 500e6, 1e6)),
			prev:    msnap(1, market("SOLUSDT", 2e6, 1e6)), next: msnap(2, market("SOLUSDT", 7e6, 1e6)),
			want: []string{"market.volume_spike bybit SOLUSDT: $2M → $7M (3.5× the median $2M) (medium)"},
		},
		{
			name:    "symbol missing from prev",
			history: hist, prev: msnap(1, market("BTCUSDT", 2e9, 1e9)), next: msnap(2, market("SOLUSDT", 7e6, 1e6)),
			want: []string{"market.volume_spike bybit SOLUSDT:  → $7M (3.5× the median $2M) (medium)"},
		},
		{
			name:    "no previous snapshot",
			history: hist, prev: Snap{}, next: msnap(2, market("SOLUSDT", 9e6, 9e6)),
		},
		{
			name:    "same snapshot",
			history: hist, prev: msnap(2, market("SOLUSDT", 9e6, 9e6)), next: msnap(2, market("SOLUSDT", 9e6, 9e6)),
		},
		{
			name:    "ignored symbol",
			cfg:     &Config{SpikeMinUSD: 1e6, Ignore: []Ignore{{Symbol: "SOL*", Type: MarketVolumeSpike}}},
			history: hist, prev: msnap(1, market("SOLUSDT", 2e6, 1e6)), next: msnap(2, market("SOLUSDT", 9e6, 4e6)),
			want: []string{"market.oi_spike bybit SOLUSDT: $1M → $4M (4× the median $1M) (medium)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tt.cfg != nil {
				cfg = *tt.cfg
			}
			got := Spikes(cfg, "bybit", tt.history, tt.prev, tt.next)
			checkSummary(t, got, tt.want)
			checkCommon(t, got, tt.next)
		})
	}
}

func TestSpikeEvidence(t *testing.T) {
	got := Spikes(DefaultConfig(), "bybit", flat("SOLUSDT", 12, 2e6, 1e6),
		msnap(1, market("SOLUSDT", 2e6, 1e6)), msnap(2, market("SOLUSDT", 7e6, 1e6)))
	if len(got) != 1 {
		t.Fatalf("got %q, want one spike", summary(got))
	}
	want := map[string]float64{
		"volume_24h_usd": 7e6, "volume_24h_usd_prev": 2e6, "median_volume_usd": 2e6,
		"ratio": 3.5, "history_points": 12, "spike_factor": 3,
	}
	for k, v := range want {
		if got[0].Evidence[k] != v {
			t.Errorf("evidence %s = %v, want %v", k, got[0].Evidence[k], v)
		}
	}
	if got[0].Kind != collectors.KindMarket || got[0].SnapshotFrom != 1 {
		t.Errorf("kind %q from snapshot %d, want market and 1", got[0].Kind, got[0].SnapshotFrom)
	}
}

func TestMedian(t *testing.T) {
	for _, tt := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{5}, 5},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
