package diff

import (
	"slices"

	"github.com/rivalwatch/rivalwatch/reports/units"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// metric is one market number that can spike.
type metric struct {
	typ       Type
	key       string // evidence name of the value
	medianKey string // evidence name of its median
	value     func(collectors.MarketStat) float64
}

var metrics = []metric{
	{MarketVolumeSpike, "volume_24h_usd", "median_volume_usd", func(m collectors.MarketStat) float64 { return m.Volume24hUSD }},
	{MarketOISpike, "open_interest_usd", "median_open_interest_usd", func(m collectors.MarketStat) float64 { return m.OpenInterestUSD }},
}

// Spikes finds symbols of one exchange whose 24h volume or open interest
// in next is above SpikeFactor × the median of their history. history is
// that exchange's trailing window (7 days, chosen by the caller) without
// next. A symbol needs SpikeMinPoints non-zero history points and a new
// value of at least SpikeMinUSD; zero values are "not collected" (Binance
// open interest outside the top N) and never count. It fires on the
// crossing only: a symbol that was already spiking in prev stays quiet.
// Nothing comes back when prev is the zero Snap or the same snapshot as next.
func Spikes(cfg Config, exchange string, history []collectors.MarketStat, prev, next Snap) []Change {
	cfg = cfg.withDefaults()
	if prev.ID == 0 || prev.ID == next.ID {
		return nil
	}
	past := map[string][]collectors.MarketStat{}
	for _, m := range history {
		past[m.Symbol] = append(past[m.Symbol], m)
	}
	before := make(map[string]collectors.MarketStat, len(prev.Records.Market))
	for _, m := range prev.Records.Market {
		before[m.Symbol] = m
	}
	var out []Change
	for _, m := range next.Records.Market {
		for _, mt := range metrics {
			var points []float64
			for _, h := range past[m.Symbol] {
				if v := mt.value(h); v > 0 {
					points = append(points, v)
				}
			}
			if len(points) < cfg.SpikeMinPoints {
				continue
			}
			med := median(points)
			spiking := func(v float64) bool { return v >= cfg.SpikeMinUSD && v > cfg.SpikeFactor*med }
			v := mt.value(m)
			p, seen := before[m.Symbol]
			if !spiking(v) || (seen && spiking(mt.value(p))) {
				continue
			}
			c := Change{
				Exchange: exchange, Kind: collectors.KindMarket, Type: mt.typ,
				Symbol: m.Symbol, Unified: m.Unified,
				New:        formatUSD(v) + " (" + units.Trim(v/med, 1) + "× the median " + formatUSD(med) + ")",
				DetectedAt: next.At, SnapshotFrom: prev.ID, SnapshotTo: next.ID,
				Evidence: map[string]float64{
					mt.key: v, mt.medianKey: med, "ratio": v / med,
					"history_points": float64(len(points)), "spike_factor": cfg.SpikeFactor,
				},
			}
			if seen {
				c.Old = formatUSD(mt.value(p))
				c.Evidence[mt.key+"_prev"] = mt.value(p)
			}
			out = append(out, c)
		}
	}
	return finish(cfg, out)
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
