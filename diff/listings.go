package diff

import (
	"strconv"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

const fieldDeliveryAt = "delivery_at"

// expiryGrace is how close to its delivery date a dated contract may settle
// or vanish and still count as expiring on schedule rather than delisted:
// every quarterly contract ends, and that is no news.
const expiryGrace = 24 * time.Hour

// placeholderDelivery is the horizon beyond which a delivery date on a
// perpetual is a placeholder, not a plan (Binance sends 2100-12-25 for every
// perpetual).
const placeholderDelivery = 10 * 365 * 24 * time.Hour

// param is one contract parameter compared by Listings.
type param struct {
	field  string
	value  func(collectors.Instrument) float64
	format func(v float64, in collectors.Instrument) string
}

func plain(v float64, _ collectors.Instrument) string { return formatNumber(v) }

var params = []param{
	{"max_leverage", func(i collectors.Instrument) float64 { return i.MaxLeverage },
		func(v float64, _ collectors.Instrument) string { return formatNumber(v) + "x" }},
	{"tick_size", func(i collectors.Instrument) float64 { return i.TickSize }, plain},
	{"lot_size", func(i collectors.Instrument) float64 { return i.LotSize }, plain},
	{"min_qty", func(i collectors.Instrument) float64 { return i.MinQty }, plain},
	{"min_notional", func(i collectors.Instrument) float64 { return i.MinNotional },
		func(v float64, in collectors.Instrument) string { return formatNumber(v) + " " + in.Quote }},
	{"contract_size", func(i collectors.Instrument) float64 { return i.ContractSize },
		func(v float64, in collectors.Instrument) string {
			if in.Margin == collectors.Inverse {
				return formatNumber(v) + " USD"
			}
			return formatNumber(v) + " " + in.Base
		}},
}

// Listings finds listing events of one exchange. runs are the last (up to
// DelistAfter+1) complete instruments snapshots, oldest first, one per run;
// consecutive runs may share a snapshot when nothing changed.
//
// New listings, status and parameter changes compare the newest run with
// the one before, and are skipped when both are the same snapshot. A symbol
// missing from a run and back in the next is neither new nor delisted: its
// newest appearance in the window is the baseline. Delisting by
// disappearance counts runs, not distinct snapshots: a symbol present in
// runs[n-K-1] and absent from each of the last K runs fires once, and not
// again as the window slides on. An explicit settling or delisted status
// fires at once. Dated contracts expiring on schedule fire nothing.
//
// A symbol missing from the newest instruments run but still listed by the
// same sweep's funding or market pull (listedElsewhere) is not gone: the
// instruments answer was short. When more symbols vanish at once than
// Config.massThreshold allows, none counts as delisted until it has been
// absent from MassDelistAfter runs; runs should hold ListingWindow runs so
// that both rules and the baseline of returning symbols can be seen.
//
// Funding interval and caps are left to Funding, which sees them for every
// exchange. Fewer than two runs give nothing: the first snapshot is a
// baseline, not a wave of new listings.
func Listings(cfg Config, exchange string, runs []Snap, listedElsewhere map[string]bool) []Change {
	cfg = cfg.withDefaults()
	n := len(runs)
	if n < 2 {
		return nil
	}
	idx := indexRuns(runs)
	var out []Change
	if runs[n-2].ID != runs[n-1].ID {
		out = compareListings(exchange, runs, idx)
	}
	// A disappearance small enough to believe fires after DelistAfter
	// runs; a mass one waits for MassDelistAfter.
	if gone := disappeared(exchange, cfg.DelistAfter, runs, idx, listedElsewhere); len(gone) <= cfg.massThreshold(baseCount(runs, cfg.DelistAfter)) {
		out = append(out, gone...)
	}
	if cfg.MassDelistAfter > cfg.DelistAfter {
		if gone := disappeared(exchange, cfg.MassDelistAfter, runs, idx, listedElsewhere); len(gone) > cfg.massThreshold(baseCount(runs, cfg.MassDelistAfter)) {
			out = append(out, gone...)
		}
	}
	return finish(cfg, out)
}

// baseCount is the number of instruments in the run k runs before the
// newest one.
func baseCount(runs []Snap, k int) int {
	if len(runs) < k+1 {
		return 0
	}
	return len(runs[len(runs)-k-1].Records.Instruments)
}

// indexRuns maps each run's instruments by symbol, once per snapshot.
func indexRuns(runs []Snap) []map[string]collectors.Instrument {
	byID := map[int64]map[string]collectors.Instrument{}
	idx := make([]map[string]collectors.Instrument, len(runs))
	for i, r := range runs {
		m, ok := byID[r.ID]
		if !ok {
			m = make(map[string]collectors.Instrument, len(r.Records.Instruments))
			for _, in := range r.Records.Instruments {
				m[in.Symbol] = in
			}
			byID[r.ID] = m
		}
		idx[i] = m
	}
	return idx
}

func compareListings(exchange string, runs []Snap, idx []map[string]collectors.Instrument) []Change {
	n := len(runs)
	next := runs[n-1]
	var out []Change
	for _, in := range next.Records.Instruments {
		c := Change{
			Exchange: exchange, Kind: collectors.KindInstruments,
			Symbol: in.Symbol, Unified: in.Unified,
			DetectedAt: next.At, SnapshotFrom: runs[n-2].ID, SnapshotTo: next.ID,
		}
		old, from, seen := lastSeen(in.Symbol, runs, idx)
		if !seen {
			if ev, ok := appeared(c, in); ok {
				out = append(out, ev)
			}
			continue
		}
		c.SnapshotFrom = from
		if ev, ok := statusChange(c, old, in, next.At); ok {
			out = append(out, ev)
		}
		out = append(out, paramChanges(c, old, in, next.At)...)
	}
	return out
}

// lastSeen finds a symbol in the newest earlier run that has it.
func lastSeen(symbol string, runs []Snap, idx []map[string]collectors.Instrument) (collectors.Instrument, int64, bool) {
	for i := len(runs) - 2; i >= 0; i-- {
		if in, ok := idx[i][symbol]; ok {
			return in, runs[i].ID, true
		}
	}
	return collectors.Instrument{}, 0, false
}

// appeared reports a symbol seen for the first time. One that first shows
// up suspended, settling or delisted is a collector widening its query,
// not a listing.
func appeared(c Change, in collectors.Instrument) (Change, bool) {
	switch in.Status {
	case collectors.StatusTrading, collectors.StatusUnknown:
		c.Type = ListingNew
	case collectors.StatusPrelaunch:
		c.Type = ListingPrelaunch
	default:
		return c, false
	}
	c.New = statusWord(in)
	c.Evidence = instrumentEvidence(in)
	if c.Type == ListingNew {
		c.SourceAt = SourceTime(in.ListedAt, c.DetectedAt)
	}
	return c, true
}

func statusChange(c Change, old, in collectors.Instrument, at time.Time) (Change, bool) {
	if old.Status == in.Status && (in.Status != collectors.StatusUnknown || old.NativeStatus == in.NativeStatus) {
		return c, false
	}
	switch {
	case ending(in.Status) && !ending(old.Status):
		if expiresOnSchedule(in, at) {
			return c, false
		}
		c.Type = ListingDelisted
	case in.Status == collectors.StatusPrelaunch:
		c.Type = ListingPrelaunch
	default:
		c.Type = ListingStatus
	}
	c.Old, c.New = statusWord(old), statusWord(in)
	c.Evidence = instrumentEvidence(in)
	return c, true
}

func paramChanges(c Change, old, in collectors.Instrument, at time.Time) []Change {
	var out []Change
	for _, p := range params {
		a, b := p.value(old), p.value(in)
		// Zero means unpublished: a collector learning to read a field
		// is not the exchange changing it.
		if a == b || a == 0 || b == 0 {
			continue
		}
		ev := c
		ev.Type, ev.Field = ListingParam, p.field
		ev.Old, ev.New = p.format(a, old), p.format(b, in)
		ev.Evidence = map[string]float64{"old": a, "new": b}
		out = append(out, ev)
	}
	if in.ContractType == collectors.Delivery {
		return out
	}
	a, b := plannedDelivery(old, at), plannedDelivery(in, at)
	if a.Equal(b) {
		return out
	}
	ev := c
	ev.Type, ev.Field = ListingParam, fieldDeliveryAt
	ev.Old, ev.New = formatTime(a), formatTime(b)
	ev.Evidence = map[string]float64{}
	if !b.IsZero() {
		ev.Evidence["delivery_at_unix"] = float64(b.Unix())
		ev.Evidence["days_to_delivery"] = b.Sub(at).Hours() / 24
	}
	out = append(out, ev)
	return out
}

// plannedDelivery is a perpetual's announced delivery date, zero when none
// or a far-future placeholder.
func plannedDelivery(in collectors.Instrument, at time.Time) time.Time {
	if in.DeliveryAt.IsZero() || in.DeliveryAt.Sub(at) > placeholderDelivery {
		return time.Time{}
	}
	return in.DeliveryAt
}

// disappeared fires listing.delisted for symbols present in runs[n-k-1] and
// absent from each of the last k runs, unless listed elsewhere.
func disappeared(exchange string, k int, runs []Snap, idx []map[string]collectors.Instrument, listedElsewhere map[string]bool) []Change {
	n := len(runs)
	if n < k+1 {
		return nil
	}
	base, next := runs[n-k-1], runs[n-1]
	var out []Change
	for _, in := range base.Records.Instruments {
		gone := true
		for i := n - k; i < n && gone; i++ {
			_, present := idx[i][in.Symbol]
			gone = !present
		}
		// An explicit end status was reported when it was first seen.
		if !gone || listedElsewhere[in.Symbol] || ending(in.Status) || expiresOnSchedule(in, next.At) {
			continue
		}
		ev := instrumentEvidence(in)
		ev["absent_runs"] = float64(k)
		out = append(out, Change{
			Exchange: exchange, Kind: collectors.KindInstruments, Type: ListingDelisted,
			Symbol: in.Symbol, Unified: in.Unified,
			Old: statusWord(in), New: "removed (absent from " + strconv.Itoa(k) + " runs)",
			DetectedAt: next.At, SnapshotFrom: base.ID, SnapshotTo: next.ID,
			Evidence: ev,
		})
	}
	return out
}

func ending(s collectors.Status) bool {
	return s == collectors.StatusSettling || s == collectors.StatusDelisted
}

// expiresOnSchedule reports a dated contract ending at its delivery date.
func expiresOnSchedule(in collectors.Instrument, at time.Time) bool {
	return in.ContractType == collectors.Delivery && !in.DeliveryAt.IsZero() &&
		!at.Before(in.DeliveryAt.Add(-expiryGrace))
}

// statusWord is the normalized status, with the native one when the
// normalized one says nothing.
func statusWord(in collectors.Instrument) string {
	if in.Status == collectors.StatusUnknown && in.NativeStatus != "" {
		return "unknown (" + in.NativeStatus + ")"
	}
	return string(in.Status)
}

// instrumentEvidence holds the published contract numbers of a listing,
// which the playbook compares with our own.
func instrumentEvidence(in collectors.Instrument) map[string]float64 {
	ev := map[string]float64{}
	for _, p := range params {
		if v := p.value(in); v != 0 {
			ev[p.field] = v
		}
	}
	if !in.ListedAt.IsZero() {
		ev["listed_at_unix"] = float64(in.ListedAt.Unix())
	}
	return ev
}
