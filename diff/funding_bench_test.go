package diff

import (
	"fmt"
	"testing"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// BenchmarkDivergence compares a full sweep's funding of three exchanges,
// as the detector does after each funding run.
func BenchmarkDivergence(b *testing.B) {
	mk := func(ex string, n int, id int64, bump float64) Snap {
		var fs []collectors.Funding
		for i := range n {
			base := fmt.Sprintf("C%03d", i)
			if i%10 == 0 {
				base = "1000" + base
			}
			fs = append(fs, collectors.Funding{Exchange: ex, Symbol: base + "USDT", Unified: base + "/USDT:USDT", Rate: 0.0001*float64(i%5) + bump, IntervalHours: 8})
		}
		return Snap{ID: id, Records: collectors.Records{Funding: fs}}
	}
	prev := map[string]Snap{"binance": mk("binance", 650, 1, 0), "bybit": mk("bybit", 550, 2, 0), "okx": mk("okx", 270, 3, 0)}
	next := map[string]Snap{"binance": mk("binance", 650, 4, 0.00001), "bybit": prev["bybit"], "okx": prev["okx"]}
	b.ReportAllocs()
	for b.Loop() {
		Divergence(DefaultConfig(), prev, next)
	}
}
