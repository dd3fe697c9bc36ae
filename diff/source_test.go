package diff

import (
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// TestListingSourceAt: a new listing carries its listing time as SourceAt
// only when that time is plausible for a first sighting.
func TestListingSourceAt(t *testing.T) {
	seen := at(2)
	cases := []struct {
		name     string
		listedAt time.Time
		want     time.Time
	}{
		{"listed 40 s before the sweep", seen.Add(-40 * time.Second), seen.Add(-40 * time.Second)},
		{"listed 23 h before", seen.Add(-23 * time.Hour), seen.Add(-23 * time.Hour)},
		{"listed a year before: a widened query, no lag", seen.AddDate(-1, 0, 0), time.Time{}},
		{"exchange clock 30 s ahead", seen.Add(30 * time.Second), seen.Add(30 * time.Second)},
		{"scheduled launch tomorrow", seen.Add(24 * time.Hour), time.Time{}},
		{"no listing time", time.Time{}, time.Time{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fresh := perp("NEWUSDT", func(in *collectors.Instrument) { in.ListedAt = tc.listedAt })
			got := Listings(Config{}, "binance", []Snap{snap(1, perp("BTCUSDT")), snap(2, perp("BTCUSDT"), fresh)}, nil)
			if len(got) != 1 || got[0].Type != ListingNew {
				t.Fatalf("changes: %+v", got)
			}
			if !got[0].SourceAt.Equal(tc.want) {
				t.Errorf("SourceAt = %v, want %v", got[0].SourceAt, tc.want)
			}
		})
	}
}

// TestPrelaunchHasNoSourceAt: a pre-market listing's time is its future
// launch, not when it was published.
func TestPrelaunchHasNoSourceAt(t *testing.T) {
	pre := perp("PREUSDT", status(collectors.StatusPrelaunch, "PENDING_TRADING"), func(in *collectors.Instrument) { in.ListedAt = at(2).Add(-time.Minute) })
	got := Listings(Config{}, "binance", []Snap{snap(1, perp("BTCUSDT")), snap(2, perp("BTCUSDT"), pre)}, nil)
	if len(got) != 1 || got[0].Type != ListingPrelaunch || !got[0].SourceAt.IsZero() {
		t.Errorf("changes: %+v", got)
	}
}
