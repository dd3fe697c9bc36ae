package diff

import (
	"testing"

	"github.com/rivalwatch/rivalwatch/collectors"
)

func ysnap(id int64, ys ...collectors.Yield) Snap {
	return Snap{ID: id, At: at(id), Records: collectors.Records{Yield: ys}}
}

// TestYield fires on a move of the best rate per coin beyond the
// threshold only, and not for coins that come or go.
func TestYield(t *testing.T) {
	y := func(product, coin string, apr float64) collectors.Yield {
		return collectors.Yield{Exchange: "bybit", Product: product, Coin: coin, APR: apr, Term: "flexible"}
	}
	prev := ysnap(1, y("FlexibleSaving", "USDT", 0.05), y("OnChain", "USDT", 0.06), y("FlexibleSaving", "BTC", 0.01), y("FlexibleSaving", "OLD", 0.2))
	next := ysnap(2, y("FlexibleSaving", "USDT", 0.09), y("OnChain", "USDT", 0.06), y("FlexibleSaving", "BTC", 0.015), y("FlexibleSaving", "NEW", 0.3))
	got := Yield(DefaultConfig(), "bybit", prev, next)
	if len(got) != 1 {
		t.Fatalf("got %+v", got)
	}
	c := got[0]
	if c.Symbol != "USDT" || c.Old != "6%/yr" || c.New != "9%/yr (FlexibleSaving, flexible)" || c.Severity != Low {
		t.Errorf("got %+v", c)
	}
	if again := Yield(DefaultConfig(), "bybit", next, next); again != nil {
		t.Errorf("the same snapshot twice: %+v", again)
	}
}
