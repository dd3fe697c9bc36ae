package collectors

import (
	"slices"
	"time"
)

// SortedHistory orders one symbol's funding history oldest first, keeping
// one record per settlement time (pages that overlap repeat one).
func SortedHistory(fs []Funding) []Funding {
	slices.SortFunc(fs, func(a, b Funding) int { return a.ObservedAt.Compare(b.ObservedAt) })
	return slices.CompactFunc(fs, func(a, b Funding) bool { return a.ObservedAt.Equal(b.ObservedAt) })
}

// SettlementInterval is the funding interval in hours implied by
// settlement i of a sorted history: the time since the previous
// settlement (the next one for the first); 0 for a single settlement.
func SettlementInterval(fs []Funding, i int) float64 {
	var d time.Duration
	switch {
	case i > 0:
		d = fs[i].ObservedAt.Sub(fs[i-1].ObservedAt)
	case len(fs) > 1:
		d = fs[1].ObservedAt.Sub(fs[0].ObservedAt)
	}
	return d.Round(time.Minute).Hours()
}
