package collectors

import (
	"context"
	"time"
)

// Status is the normalized trading status of an instrument.
type Status string

// Normalized statuses. StatusUnknown keeps an instrument whose native status
// the code does not know yet, rather than dropping it.
const (
	StatusPrelaunch Status = "prelaunch"
	StatusTrading   Status = "trading"
	StatusSuspended Status = "suspended"
	StatusSettling  Status = "settling"
	StatusDelisted  Status = "delisted"
	StatusUnknown   Status = "unknown"
)

// Contract types and margin modes.
const (
	Perpetual = "perpetual"
	Delivery  = "delivery"
	Linear    = "linear"
	Inverse   = "inverse"
)

// Instrument is one tradable contract as listed by an exchange.
// Zero numbers mean the exchange does not publish the value.
type Instrument struct {
	Exchange     string
	Symbol       string // the exchange's own id: BTCUSDT, BTC-USDT-SWAP
	Unified      string // BASE/QUOTE:SETTLE
	Base         string // kept with its multiplier prefix: 1000PEPE
	Quote        string
	Settle       string
	Multiplier   float64 // 1000 for 1000PEPE, else 1
	ContractType string  // Perpetual or Delivery
	NativeType   string  // the exchange's contract type: PERPETUAL, LinearPerpetual, SWAP
	Margin       string  // Linear or Inverse
	Status       Status
	NativeStatus string

	ContractSize float64 // base units (linear) or USD (inverse) per contract
	TickSize     float64
	LotSize      float64
	MinQty       float64
	MinNotional  float64
	MaxLeverage  float64

	FundingIntervalHours float64
	FundingCap           float64
	FundingFloor         float64

	ListedAt   time.Time
	DeliveryAt time.Time // zero for perpetuals
}

var instrumentsKind = kindSpec{KindInstruments, func(r Records) int { return len(r.Instruments) },
	func(r *Records) { sortByKey(r.Instruments, func(i Instrument) string { return i.Symbol }) }, checkInstruments, false}

func checkInstruments(r Records, now time.Time) error {
	for _, in := range r.Instruments {
		b := bounds{symbol: in.Symbol, now: now}
		b.text("symbol", in.Symbol)
		b.number("multiplier", in.Multiplier, 1, 1e9, true)
		b.number("contract_size", in.ContractSize, 0, maxSize, true)
		b.number("tick_size", in.TickSize, 0, maxSize, true)
		b.number("lot_size", in.LotSize, 0, maxSize, true)
		b.number("min_qty", in.MinQty, 0, maxSize, true)
		b.number("min_notional", in.MinNotional, 0, maxSize, true)
		b.number("max_leverage", in.MaxLeverage, 1, maxLeverage, true)
		b.number("funding_interval_hours", in.FundingIntervalHours, 0, maxInterval, true)
		b.number("funding_cap", in.FundingCap, -maxRate, maxRate, true)
		b.number("funding_floor", in.FundingFloor, -maxRate, maxRate, true)
		b.time("listed_at", in.ListedAt, 5*year)
		// Binance dates every perpetual 2100-12-25: a placeholder, not a plan.
		b.time("delivery_at", in.DeliveryAt, 100*year)
		if b.err != nil {
			return b.err
		}
	}
	return nil
}

// InstrumentsPull adapts a function listing instruments to a PullFunc.
func InstrumentsPull(f func(context.Context) ([]Instrument, error)) PullFunc {
	return func(ctx context.Context) (Records, error) {
		v, err := f(ctx)
		return Records{Instruments: v}, err
	}
}
