package diff

import (
	"math"
	"sort"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/reports/units"
)

// BestYield is the highest APR one exchange pays on a coin, and the
// product paying it.
type BestYield struct {
	Coin, Product, Term string
	APR                 float64
}

// BestYields returns the best APR per coin in one exchange's yield
// records, by coin.
func BestYields(ys []collectors.Yield) []BestYield {
	best := map[string]BestYield{}
	for _, y := range ys {
		if b, ok := best[y.Coin]; !ok || y.APR > b.APR {
			best[y.Coin] = BestYield{Coin: y.Coin, Product: y.Product, Term: y.Term, APR: y.APR}
		}
	}
	out := make([]BestYield, 0, len(best))
	for _, b := range best {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Coin < out[j].Coin })
	return out
}

// Yield fires yield.apr when a coin's best APR on one exchange moved by
// cfg.YieldAPRChange or more between two complete snapshots. A coin new or
// gone from the list fires nothing: products come and go with their quotas.
func Yield(cfg Config, exchange string, prev, next Snap) []Change {
	cfg = cfg.withDefaults()
	if prev.ID == next.ID {
		return nil
	}
	before := map[string]BestYield{}
	for _, b := range BestYields(prev.Records.Yield) {
		before[b.Coin] = b
	}
	var out []Change
	for _, b := range BestYields(next.Records.Yield) {
		p, ok := before[b.Coin]
		if !ok || math.Abs(b.APR-p.APR) < cfg.YieldAPRChange {
			continue
		}
		out = append(out, Change{Exchange: exchange, Kind: collectors.KindYield, Type: YieldAPR, Symbol: b.Coin,
			Field: "best_apr", Old: units.PctYr(p.APR), New: units.PctYr(b.APR) + " (" + b.Product + ", " + b.Term + ")",
			DetectedAt: next.At, SnapshotFrom: prev.ID, SnapshotTo: next.ID,
			Evidence: map[string]float64{"apr_old": p.APR, "apr_new": b.APR, "apr_change": b.APR - p.APR}})
	}
	return finish(cfg, out)
}
