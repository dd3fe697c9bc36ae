package collectors

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Kind names one kind of data an exchange publishes.
type Kind string

// The kinds of data collected.
const (
	KindInstruments   Kind = "instruments"   // listings and contract parameters
	KindFunding       Kind = "funding"       // funding rate, interval, cap and floor
	KindMarket        Kind = "market"        // 24h volume and open interest
	KindFees          Kind = "fees"          // fee schedules and symbol fees
	KindAnnouncements Kind = "announcements" // new and changed articles of the rivals' announcement feeds
	KindYield         Kind = "yield"         // yield products: savings, staking
)

// Records are the normalized records of one pull; only the slice matching
// the pull's kind is filled. Each slice belongs to one entry of kindTable.
type Records struct {
	Instruments   []Instrument
	Funding       []Funding
	Market        []MarketStat
	Fees          []Fee
	Announcements []Announcement `json:",omitempty"`
	Yield         []Yield        `json:",omitempty"`
}

// kindSpec is one kind's part of Records: how many records it holds and
// how they sort, so that equal content is stored and compared identically.
type kindSpec struct {
	kind Kind
	len  func(Records) int
	sort func(*Records)
	// check fails a pull whose records hold values outside what an
	// exchange can publish (see plausible.go); now is the pull's start.
	check func(r Records, now time.Time) error
	// feed marks an append-only feed: a pull returns only what is new, so
	// zero records is a complete pull, not an empty answer.
	feed bool
}

// kindTable lists every kind in collection order. A new kind adds its
// slice to Records, one entry here, one per layer in the store and the
// pipeline, and a pull in each exchange's capability table; the tests of
// every layer fail when one is missing.
var kindTable = []kindSpec{instrumentsKind, fundingKind, marketKind, feesKind, announcementsKind, yieldKind}

// AllKinds lists every kind in collection order.
var AllKinds = func() []Kind {
	out := make([]Kind, len(kindTable))
	for i, k := range kindTable {
		out[i] = k.kind
	}
	return out
}()

// ParseKind returns the Kind named s.
func ParseKind(s string) (Kind, error) {
	for _, k := range AllKinds {
		if string(k) == s {
			return k, nil
		}
	}
	names := make([]string, len(AllKinds))
	for i, k := range AllKinds {
		names[i] = string(k)
	}
	return "", fmt.Errorf("unknown kind %q (want %s)", s, strings.Join(names, ", "))
}

// Feed reports whether k is an append-only feed (announcements): each pull
// returns only what is new since the last, so zero records is a complete
// pull with nothing new, and fewer records than last time is no removal.
func (k Kind) Feed() bool {
	for _, s := range kindTable {
		if s.kind == k {
			return s.feed
		}
	}
	return false
}

// Len is the number of records.
func (r Records) Len() int {
	n := 0
	for _, k := range kindTable {
		n += k.len(r)
	}
	return n
}

func sortRecords(r *Records) {
	for _, k := range kindTable {
		k.sort(r)
	}
}

func sortByKey[T any](s []T, key func(T) string) {
	slices.SortStableFunc(s, func(a, b T) int { return cmp.Compare(key(a), key(b)) })
}

// PullFunc pulls one kind from one exchange. It returns an error unless
// every request succeeded and every payload parsed; the records are then
// the whole set.
type PullFunc func(ctx context.Context) (Records, error)

// Pulls is an exchange's capability table: the kinds it publishes and how
// each is pulled. A kind missing from it is not collected from that
// exchange (Binance publishes no yield products without an account).
type Pulls map[Kind]PullFunc

// Collector pulls one exchange's public data.
type Collector interface {
	// Exchange is the lower-case exchange name: binance, bybit, okx.
	Exchange() string
	// Pulls is the exchange's capability table.
	Pulls() Pulls
}

// Supports reports whether c collects kind.
func Supports(c Collector, kind Kind) bool {
	_, ok := c.Pulls()[kind]
	return ok
}

// Collect pulls one kind from c, without the bookkeeping of Pull.
func Collect(ctx context.Context, c Collector, kind Kind) (Records, error) {
	pull, ok := c.Pulls()[kind]
	if !ok {
		return Records{}, &Error{Kind: ErrInternal, Msg: fmt.Sprintf("%s does not publish %s", c.Exchange(), kind)}
	}
	recs, err := pull(ctx)
	if err != nil {
		return Records{}, err
	}
	return recs, nil
}

// Pull runs one collection and wraps the outcome in a Snapshot: it counts
// requests, times the pull, rejects an empty result and sorts the records
// so that equal content is stored and compared identically. now stamps
// StartedAt.
func Pull(ctx context.Context, c Collector, kind Kind, now func() time.Time) Snapshot {
	ctx, requests := WithRequestCounter(ctx)
	start, began := now(), time.Now() // now may be a fixed clock; the duration is real
	recs, err := Collect(ctx, c, kind)
	snap := Snapshot{Exchange: c.Exchange(), Kind: kind, StartedAt: start.UTC(), Duration: time.Since(began)}
	snap.Requests = int(requests.Load())
	if err != nil && errors.Is(ctx.Err(), context.Canceled) {
		err = &Error{Kind: ErrInterrupted, Msg: "stopped before the exchange answered"}
	}
	if err == nil && recs.Len() == 0 && !kind.Feed() {
		err = &Error{Kind: ErrEmpty, Msg: "the exchange returned no " + string(kind)}
	}
	if err != nil {
		snap.Err = fmt.Errorf("%s %s: %w", c.Exchange(), kind, err)
		return snap
	}
	for _, k := range kindTable {
		if k.check == nil {
			continue
		}
		if err := k.check(recs, snap.StartedAt); err != nil {
			snap.Err = fmt.Errorf("%s %s: %w", c.Exchange(), kind, err)
			return snap
		}
	}
	sortRecords(&recs)
	stampSeen(&recs, snap.StartedAt)
	snap.Records = recs
	return snap
}
