package diff

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

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

// formatNumber prints a contract parameter as the exchange would: 0.01,
// 100, 0.00001 (never 1e-05).
func formatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// formatHours prints a funding interval: 8h, 0.5h.
func formatHours(h float64) string { return formatNumber(h) + "h" }

// formatAnnual prints a yearly fraction as a signed percentage: +10.95%/yr.
func formatAnnual(a float64) string { return fmt.Sprintf("%+.2f%%/yr", a*100) }

// formatRate prints a funding rate per interval with its yearly
// equivalent, the two numbers an operator compares: +0.0100% (+10.95%/yr).
func formatRate(rate, intervalHours float64) string {
	return fmt.Sprintf("%+.4f%% (%s)", rate*100, formatAnnual(collectors.Annualize(rate, intervalHours)))
}

// formatUSD prints money compactly: $950, $12.5K, $3.10M, $1.25B.
func formatUSD(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e9:
		return fmt.Sprintf("$%.2fB", v/1e9)
	case a >= 1e6:
		return fmt.Sprintf("$%.2fM", v/1e6)
	case a >= 1e3:
		return fmt.Sprintf("$%.1fK", v/1e3)
	}
	return fmt.Sprintf("$%.0f", v)
}

// formatTime prints an exchange timestamp to the minute, in UTC.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}
