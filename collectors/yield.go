package collectors

import "time"

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
