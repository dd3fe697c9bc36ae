package reports

import (
	"github.com/rivalwatch/rivalwatch/diff"
)

// listingFlapped is a digest-only type: a symbol delisted and listed again
// on the reported day is one item, not two that contradict each other.
const listingFlapped diff.Type = "listing.flapped"

// mergeAnnounced drops a listing.announced whose contract went live the
// same day: its listing.new already carries the announcement's times, and
// one coin reads as one item with both.
func mergeAnnounced(changes []diff.Change) []diff.Change {
	type key struct{ exchange, symbol string }
	live := map[key]bool{}
	for _, c := range changes {
		if _, linked := c.Evidence["announced_at"]; linked && (c.Type == diff.ListingNew || c.Type == diff.ListingPrelaunch) {
			live[key{c.Exchange, c.Symbol}] = true
		}
	}
	if len(live) == 0 {
		return changes
	}
	out := changes[:0:0]
	for _, c := range changes {
		if c.Type == diff.ListingAnnounced && live[key{c.Exchange, c.Symbol}] {
			continue
		}
		out = append(out, c)
	}
	return out
}

// mergeFlaps folds each (exchange, symbol) that has both a listing.delisted
// and a later listing.new among the day's changes into one listing.flapped
// change, keeping the other changes in their order.
func mergeFlaps(changes []diff.Change) []diff.Change {
	type key struct{ exchange, symbol string }
	delisted := map[key]int{}
	for i, c := range changes {
		if c.Type == diff.ListingDelisted {
			delisted[key{c.Exchange, c.Symbol}] = i
		}
	}
	drop := map[int]bool{}
	flapped := map[int]diff.Change{}
	for i, c := range changes {
		j, ok := delisted[key{c.Exchange, c.Symbol}]
		if c.Type != diff.ListingNew || !ok || !changes[j].DetectedAt.Before(c.DetectedAt) {
			continue
		}
		f := c
		f.Type, f.Old, f.New = listingFlapped, changes[j].Old, c.New
		f.Severity = diff.Medium
		f.Evidence = map[string]float64{"delisted_at_unix": float64(changes[j].DetectedAt.Unix()),
			"listed_again_at_unix": float64(c.DetectedAt.Unix())}
		drop[j], flapped[i] = true, f
	}
	if len(flapped) == 0 {
		return changes
	}
	out := make([]diff.Change, 0, len(changes)-len(drop))
	for i, c := range changes {
		switch {
		case drop[i]:
		case flapped[i].ID != "":
			out = append(out, flapped[i])
		default:
			out = append(out, c)
		}
	}
	return out
}
