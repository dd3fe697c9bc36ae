// Package collectors defines what a rival-exchange collector returns: the
// normalized record types, the Snapshot of one pull, and the Collector
// contract that the per-exchange subpackages implement. It also holds the
// shared HTTP transport (see transport.go) and the error type every
// collector reports failures with (see errors.go).
package collectors

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Kind names one kind of data an exchange publishes.
type Kind string

// The kinds of data collected.
const (
	KindInstruments Kind = "instruments" // listings and contract parameters
	KindFunding     Kind = "funding"     // funding rate, interval, cap and floor
	KindMarket      Kind = "market"      // 24h volume and open interest
)

// AllKinds lists every kind in collection order.
var AllKinds = []Kind{KindInstruments, KindFunding, KindMarket}

// ParseKind returns the Kind named s.
func ParseKind(s string) (Kind, error) {
	for _, k := range AllKinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown kind %q (want instruments, funding or market)", s)
}

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

// Funding is one funding observation.
type Funding struct {
	Exchange      string
	Symbol        string
	Unified       string
	Rate          float64 // fraction per interval: 0.0001 = 1 bp
	IntervalHours float64
	Cap           float64 // 0 when unpublished
	Floor         float64 // 0 when unpublished
	NextFundingAt time.Time
	MarkPrice     float64
	ObservedAt    time.Time // the exchange's timestamp, else our fetch time
}

// Annualized is the funding rate over one year at the symbol's own interval.
func (f Funding) Annualized() float64 { return Annualize(f.Rate, f.IntervalHours) }

// Annualize converts a rate per interval into a yearly fraction.
func Annualize(rate, intervalHours float64) float64 {
	if intervalHours <= 0 {
		return 0
	}
	return rate * 24 / intervalHours * 365
}

// MarketStat is one 24h market observation.
type MarketStat struct {
	Exchange        string
	Symbol          string
	Unified         string
	LastPrice       float64
	Volume24hUSD    float64
	OpenInterestUSD float64 // 0 when not collected (Binance: top N only)
	ObservedAt      time.Time
}

// Records are the normalized records of one pull; only the slice matching
// the pull's kind is filled.
type Records struct {
	Instruments []Instrument
	Funding     []Funding
	Market      []MarketStat
}

// Len is the number of records.
func (r Records) Len() int { return len(r.Instruments) + len(r.Funding) + len(r.Market) }

// Collector pulls one exchange's public data.
type Collector interface {
	// Exchange is the lower-case exchange name: binance, bybit, okx.
	Exchange() string
	// Collect pulls one kind. It returns an error unless every request
	// succeeded and every payload parsed; records are then the whole set.
	Collect(ctx context.Context, kind Kind) (Records, error)
}

// Snapshot is the outcome of one pull of one (exchange, kind): the records
// and how the pull went. A snapshot with Err set is never compared.
type Snapshot struct {
	Exchange  string
	Kind      Kind
	StartedAt time.Time
	Duration  time.Duration
	Requests  int
	Records   Records
	Err       error // nil when complete
}

// Complete reports whether the pull succeeded in full.
func (s Snapshot) Complete() bool { return s.Err == nil }

// Pull runs one collection and wraps the outcome in a Snapshot: it counts
// requests, times the pull, rejects an empty result and sorts the records by
// symbol so that equal content is stored and compared identically. now
// stamps StartedAt.
func Pull(ctx context.Context, c Collector, kind Kind, now func() time.Time) Snapshot {
	ctx, requests := WithRequestCounter(ctx)
	start, began := now(), time.Now() // now may be a fixed clock; the duration is real
	recs, err := c.Collect(ctx, kind)
	snap := Snapshot{Exchange: c.Exchange(), Kind: kind, StartedAt: start.UTC(), Duration: time.Since(began)}
	snap.Requests = int(requests.Load())
	if err == nil && recs.Len() == 0 {
		err = &Error{Kind: ErrEmpty, Msg: "the exchange returned no " + string(kind)}
	}
	if err != nil {
		snap.Err = fmt.Errorf("%s %s: %w", c.Exchange(), kind, err)
		return snap
	}
	sortRecords(&recs)
	snap.Records = recs
	return snap
}

func sortRecords(r *Records) {
	sort.Slice(r.Instruments, func(i, j int) bool { return r.Instruments[i].Symbol < r.Instruments[j].Symbol })
	sort.Slice(r.Funding, func(i, j int) bool { return r.Funding[i].Symbol < r.Funding[j].Symbol })
	sort.Slice(r.Market, func(i, j int) bool { return r.Market[i].Symbol < r.Market[j].Symbol })
}

// Unified builds the cross-exchange symbol BASE/QUOTE:SETTLE.
func Unified(base, quote, settle string) string {
	return strings.ToUpper(base) + "/" + strings.ToUpper(quote) + ":" + strings.ToUpper(settle)
}

var multiplierPrefix = regexp.MustCompile(`^(1000+|1M)([A-Z].*)$`)

// Multiplier returns the contract multiplier encoded in a base asset name:
// 1000 for 1000PEPE, 1000000 for 1000000MOG or 1MBABYDOGE, else 1.
func Multiplier(base string) float64 {
	m := multiplierPrefix.FindStringSubmatch(base)
	if m == nil {
		return 1
	}
	if m[1] == "1M" {
		return 1e6
	}
	return math.Pow(10, float64(len(m[1])-1))
}

// Coin strips a multiplier prefix from a base asset: PEPE for 1000PEPE.
// Cross-exchange comparisons join on it.
func Coin(base string) string {
	if m := multiplierPrefix.FindStringSubmatch(base); m != nil {
		return m[2]
	}
	return base
}

// ParseFloat parses a decimal string as the exchanges send it; the empty
// string is zero. Equal decimals ("0.00010000", "0.0001") give equal floats.
func ParseFloat(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, &Error{Kind: ErrMalformed, Msg: fmt.Sprintf("not a number: %q", s)}
	}
	return f, nil
}

// Millis converts epoch milliseconds to UTC time; zero and negative are the
// zero time.
func Millis(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// ParseMillis parses epoch milliseconds sent as a string ("" and "0" are the
// zero time).
func ParseMillis(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, &Error{Kind: ErrMalformed, Msg: fmt.Sprintf("not a timestamp: %q", s)}
	}
	return Millis(ms), nil
}
