package diff

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/rivalwatch/rivalwatch/reports/units"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// finish gives each change its ID and severity, drops ignored ones and
// sorts the rest: the last step of every exported function.
func finish(cfg Config, changes []Change) []Change {
	for i := range changes {
		c := &changes[i]
		c.ID = ChangeID(c.ExchangeLabel(), c.Type, c.Symbol, c.Field, c.New, c.SnapshotTo)
		c.Severity = cfg.severity(c.Type, c.Field)
	}
	out := Filter(cfg, changes)
	slices.SortFunc(out, compareChanges)
	return out
}

// compareChanges orders by severity (most urgent first), type, exchange,
// symbol and field; the ID breaks the remaining ties so the order never
// depends on map iteration.
func compareChanges(a, b Change) int {
	return cmp.Or(
		cmp.Compare(b.Severity.Rank(), a.Severity.Rank()),
		strings.Compare(string(a.Type), string(b.Type)),
		strings.Compare(a.ExchangeLabel(), b.ExchangeLabel()),
		strings.Compare(a.Symbol, b.Symbol),
		strings.Compare(a.Field, b.Field),
		strings.Compare(a.ID, b.ID),
	)
}

// Snap is one complete snapshot as diff sees it. The caller (the store)
// must pass only complete snapshots: a partial pull compared here would
// read as mass delistings. IDs are positive; the zero Snap means "none".
type Snap struct {
	ID      int64
	At      time.Time // the start of the run that observed it
	Records collectors.Records
}

// Numbers in Old and New use the one style of package units, shared with
// the digest and alerts.
var (
	formatNumber = units.Number
	formatHours  = units.Hours
	formatAnnual = units.SignedPctYr
	formatUSD    = units.USD
)

// formatRate prints a funding rate per interval with its yearly
// equivalent, the two numbers an operator compares: +1 bps (+11 %/yr).
func formatRate(rate, intervalHours float64) string {
	return units.SignedBps(rate) + " (" + formatAnnual(collectors.Annualize(rate, intervalHours)) + ")"
}

// formatTime prints an exchange timestamp to the minute, in UTC.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}
