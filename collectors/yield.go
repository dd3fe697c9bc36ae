package collectors

import (
	"context"
	"time"
)

// Yield is one yield product a rival offers (flexible savings, on-chain
// staking, lending), as its public API lists it.
type Yield struct {
	Exchange   string
	Product    string // the exchange's product family: FlexibleSaving, OnChain, savings
	ProductID  string // the exchange's own id, "" when it has none
	Coin       string
	APR        float64 // yearly fraction: 0.05 = 5 %/yr
	Term       string  // "flexible", or the lock-up such as "30d"
	ObservedAt time.Time
}

var yieldKind = kindSpec{kind: KindYield, len: func(r Records) int { return len(r.Yield) },
	sort: func(r *Records) { sortByKey(r.Yield, Yield.Key) }}

// Key identifies a product within one exchange's snapshot.
func (y Yield) Key() string { return y.Product + "/" + y.ProductID + "/" + y.Coin + "/" + y.Term }

// YieldPull adapts a function listing yield products to a PullFunc.
func YieldPull(f func(context.Context) ([]Yield, error)) PullFunc {
	return func(ctx context.Context) (Records, error) {
		v, err := f(ctx)
		return Records{Yield: v}, err
	}
}
