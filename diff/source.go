package diff

import "time"

// Bounds of a plausible source time, relative to the detection: a listing
// time days old is a symbol we only now started to see (a collector widening
// its query), and one in the future is a scheduled launch, not a detection
// lag. sourceSkew allows for the exchange's clock running ahead of ours.
const (
	sourceWindow = 24 * time.Hour
	sourceSkew   = time.Minute
)

// SourceTime returns source when it is a plausible time for a change first
// seen at detected: at most a day earlier and at most a minute later.
// Anything else is zero, so no detection lag is claimed from it.
func SourceTime(source, detected time.Time) time.Time {
	if source.IsZero() || source.Before(detected.Add(-sourceWindow)) || source.After(detected.Add(sourceSkew)) {
		return time.Time{}
	}
	return source.UTC()
}
