// Package diff turns two snapshots of the same exchange and kind (and, for
// analytic events, recent history) into typed change events. It is pure: no
// clock, no I/O, and its output is sorted, so the same input always gives
// the same events with the same IDs.
package diff

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// Type names what changed.
type Type string

// The change types.
const (
	ListingNew        Type = "listing.new"
	ListingPrelaunch  Type = "listing.prelaunch"
	ListingDelisted   Type = "listing.delisted"
	ListingStatus     Type = "listing.status"
	ListingParam      Type = "listing.param"
	FundingInterval   Type = "funding.interval"
	FundingCap        Type = "funding.cap"
	FundingExtreme    Type = "funding.extreme"
	FundingDivergence Type = "funding.divergence"
	MarketVolumeSpike Type = "market.volume_spike"
	MarketOISpike     Type = "market.oi_spike"
	FeeTier           Type = "fee.tier"
	FeeSymbol         Type = "fee.symbol"

	// From announcements and yield products (see announcements.go, yield.go).
	PromoNew           Type = "promo.new"
	PromoEnding        Type = "promo.ending"
	ListingAnnounced   Type = "listing.announced"
	DelistingAnnounced Type = "listing.delisting_announced"
	FundingAnnounced   Type = "funding.announced"
	ParamsAnnounced    Type = "params.announced"
	FeeAnnounced       Type = "fee.announced"
	YieldAPR           Type = "yield.apr"
)

// Severity ranks a change for alerts and the digest.
type Severity string

// Severities, most urgent first.
const (
	High   Severity = "high"
	Medium Severity = "medium"
	Low    Severity = "low"
)

// Rank orders severities: high is 3, low 1, unknown 0.
func (s Severity) Rank() int {
	switch s {
	case High:
		return 3
	case Medium:
		return 2
	case Low:
		return 1
	}
	return 0
}

// Change is one typed change event.
type Change struct {
	ID       string
	Exchange string // the one exchange it is about; "" for a cross-exchange event
	// Exchanges are the exchanges a cross-exchange event compares (a
	// funding divergence: the highest side first); nil otherwise. See
	// ExchangeList.
	Exchanges    []string
	Kind         collectors.Kind
	Type         Type
	Symbol       string // the exchange's symbol; for divergence the unified one
	Unified      string
	Field        string // the parameter that changed, for listing.param and funding.cap
	Old, New     string // human-readable values with units
	Severity     Severity
	DetectedAt   time.Time // the newer snapshot's time
	SnapshotFrom int64
	SnapshotTo   int64
	// Evidence holds the numbers behind the event (rates, volumes,
	// thresholds) for the playbook and for people checking the arithmetic.
	Evidence map[string]float64
	// SourceAt is when the source says the change happened (a listing's
	// onboard time, an announcement's publish time), so DetectedAt minus
	// SourceAt is how long we took to see it; zero when the source says
	// nothing or something implausible (see SourceTime).
	SourceAt time.Time `json:",omitzero"`
}

// ExchangeList names every exchange the change is about: Exchanges for a
// cross-exchange event, else Exchange alone.
func (c Change) ExchangeList() []string {
	if len(c.Exchanges) > 0 {
		return c.Exchanges
	}
	return []string{c.Exchange}
}

// ExchangeLabel is the exchanges as people read them: "binance vs okx".
func (c Change) ExchangeLabel() string { return strings.Join(c.ExchangeList(), " vs ") }

// ChangeID is the stable ID of a change: a hash of exchange, type, symbol,
// field, new value and the snapshot it was found in, so re-running diff
// never duplicates an event.
func ChangeID(exchange string, t Type, symbol, field, newValue string, snapshotTo int64) string {
	h := sha256.New()
	for _, s := range []string{exchange, string(t), symbol, field, newValue, strconv.FormatInt(snapshotTo, 10)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
