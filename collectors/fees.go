package collectors

import (
	"context"
	"time"
)

// Fee products: the perpetual families rivals price separately.
const (
	ProductUSDM  = "usdm"  // USDT-margined (Binance USDⓈ-M, Bybit linear USDT, OKX USDT swaps)
	ProductCOINM = "coinm" // coin-margined (inverse)
	ProductUSDC  = "usdc"  // USDC-margined perpetuals
)

// Where a fee row came from.
const (
	FeeSourcePage   = "page"   // a public fee-schedule page
	FeeSourceAPI    = "api"    // an authenticated read-only endpoint (our observer account)
	FeeSourceManual = "manual" // an entry in the config
)

// Fee is one tier of a rival's published fee schedule (Symbol empty), or
// one symbol's own fee where it differs from the schedule (a zero-fee pair,
// a discount) as an authenticated endpoint reports it. Rates are fractions:
// 0.0002 is 2 bps; a negative rate is a rebate.
type Fee struct {
	Exchange        string
	Product         string // ProductUSDM, ProductCOINM, ProductUSDC
	Tier            string // VIP0, Lv1, Supreme VIP; for a symbol row, our account's tier
	Symbol          string // "" for a schedule row
	MakerRate       float64
	TakerRate       float64
	Min30dVolumeUSD float64 // the tier's 30-day volume threshold, 0 when none
	MinBalanceUSD   float64 // the tier's asset-balance threshold, 0 when none
	Source          string  // FeeSourcePage, FeeSourceAPI, FeeSourceManual
	ObservedAt      time.Time
}

// Key identifies a fee row within one exchange's snapshot:
// product|tier|symbol|source. A page and a manual entry for the same tier
// are two rows, each compared with its own predecessor.
func (f Fee) Key() string {
	return f.Product + "|" + f.Tier + "|" + f.Symbol + "|" + f.Source
}

var feesKind = kindSpec{KindFees, func(r Records) int { return len(r.Fees) },
	func(r *Records) { sortByKey(r.Fees, Fee.Key) }, checkFees, false}

// checkFees bounds fee rows: rates within ±1 % (a rebate is negative),
// thresholds finite and not negative. ObservedAt is our own fetch time.
func checkFees(r Records, now time.Time) error {
	for _, f := range r.Fees {
		b := bounds{symbol: f.Key(), now: now}
		b.text("tier", f.Tier)
		b.number("maker_rate", f.MakerRate, -0.01, 0.01, false)
		b.number("taker_rate", f.TakerRate, -0.01, 0.01, false)
		b.number("min_30d_volume_usd", f.Min30dVolumeUSD, 0, 1e13, true)
		b.number("min_balance_usd", f.MinBalanceUSD, 0, 1e13, true)
		if b.err != nil {
			return b.err
		}
	}
	return nil
}

// FeesPull adapts a function listing fee rows to a PullFunc.
func FeesPull(f func(context.Context) ([]Fee, error)) PullFunc {
	return func(ctx context.Context) (Records, error) {
		v, err := f(ctx)
		return Records{Fees: v}, err
	}
}
