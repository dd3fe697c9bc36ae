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
	func(r *Records) { sortByKey(r.Instruments, func(i Instrument) string { return i.Symbol }) }, false}

// InstrumentsPull adapts a function listing instruments to a PullFunc.
func InstrumentsPull(f func(context.Context) ([]Instrument, error)) PullFunc {
	return func(ctx context.Context) (Records, error) {
		v, err := f(ctx)
		return Records{Instruments: v}, err
	}
}
