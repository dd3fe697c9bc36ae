package reports

import (
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/diff"
)

func TestRanking(t *testing.T) {
	// XYZ: binance volume $24M, not ours. SOL: ours. BTC: ours, largest.
	xyzHigh := change("binance", diff.ListingNew, "XYZUSDT", "XYZ/USDT:USDT", "", "", "", diff.High, 1, nil)
	solLow := change("bybit", diff.ListingStatus, "SOLUSDT", "SOL/USDT:USDT", "", "trading", "suspended", diff.Low, 1, nil)
	solMed := change("bybit", diff.ListingStatus, "SOLUSDT", "SOL/USDT:USDT", "", "trading", "settling", diff.Medium, 1, nil)
	btcMed := change("binance", diff.ListingParam, "BTCUSDT", "BTC/USDT:USDT", "tick_size", "0.1", "0.2", diff.Medium, 1, nil)
	xyzMed := change("binance", diff.ListingParam, "XYZUSDT", "XYZ/USDT:USDT", "tick_size", "0.1", "0.2", diff.Medium, 1, nil)
	unknownMed := change("bybit", diff.ListingNew, "QQQUSDT", "QQQ/USDT:USDT", "", "", "", diff.Medium, 1, nil)
	tests := []struct {
		name    string
		changes []diff.Change
		want    []diff.Change
	}{
		{"severity first", []diff.Change{solLow, xyzHigh}, []diff.Change{xyzHigh, solLow}},
		{"our coin before a bigger foreign one", []diff.Change{xyzMed, solMed}, []diff.Change{solMed, xyzMed}},
		{"money size among our coins", []diff.Change{solMed, btcMed}, []diff.Change{btcMed, solMed}},
		{"money size among foreign coins", []diff.Change{unknownMed, xyzMed}, []diff.Change{xyzMed, unknownMed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Build(Input{Date: day, GeneratedAt: generated, Changes: tt.changes, Market: testMarket(), House: testHouse()})
			var got, want []string
			for _, e := range d.Headline {
				got = append(got, e.ID)
			}
			for _, c := range tt.want {
				want = append(want, c.ID)
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("order = %v, want %v", got, want)
			}
		})
	}
}

func TestHeadlineSize(t *testing.T) {
	many := func(n int, sev diff.Severity) []diff.Change {
		var out []diff.Change
		for i := 0; i < n; i++ {
			out = append(out, change("binance", diff.ListingParam, "BTCUSDT", "BTC/USDT:USDT", "tick_size", "0.1", string(rune('a'+i)), sev, 1, nil))
		}
		return out
	}
	tests := []struct {
		name    string
		changes []diff.Change
		want    int
	}{
		{"none", nil, 0},
		{"two", many(2, diff.Low), 2},
		{"low ones stop at three", many(10, diff.Low), 3},
		{"high ones stop at seven", many(10, diff.High), 7},
		{"mixed", append(many(4, diff.Medium), many(4, diff.Low)...), 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Build(Input{Date: day, GeneratedAt: generated, Changes: tt.changes, House: testHouse()})
			if len(d.Headline) != tt.want {
				t.Errorf("headline has %d events, want %d", len(d.Headline), tt.want)
			}
		})
	}
}

func TestSections(t *testing.T) {
	d := Build(testInput(t))
	want := map[string]int{"listings": 2, "delistings": 2, "params": 1, "funding": 4, "market": 2, "fees": 1}
	for _, s := range d.Sections {
		if len(s.Events) != want[s.Key] {
			t.Errorf("section %s has %d events, want %d", s.Key, len(s.Events), want[s.Key])
		}
		delete(want, s.Key)
	}
	if len(want) > 0 {
		t.Errorf("missing sections %v", want)
	}
	empty := Build(Input{Date: day, GeneratedAt: generated})
	if len(empty.Sections) != len(sections) {
		t.Errorf("an empty day has %d sections, want the %d fixed ones (with No changes.)", len(empty.Sections), len(sections))
	}
}

func TestFreshness(t *testing.T) {
	tests := []struct {
		name      string
		f         Freshness
		stale     bool
		age       string
		reasonHas string
	}{
		{"fresh", Freshness{LastComplete: generated.Add(-119 * time.Minute)}, false, "1 h 59 min", ""},
		{"old", Freshness{LastComplete: generated.Add(-121 * time.Minute)}, true, "2 h 1 min", "over 2 h"},
		{"failing", Freshness{LastComplete: generated.Add(-time.Minute), FailuresSince: 3, LastError: "okx funding: HTTP 503"}, true, "1 min", "3 failed run(s)"},
		{"never", Freshness{}, true, "never", "no complete snapshot"},
		{"days", Freshness{LastComplete: generated.Add(-72 * time.Hour)}, true, "3 d", "3 d ago"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.f.Exchange, tt.f.Kind = "okx", "funding"
			d := Build(Input{Date: day, GeneratedAt: generated, Freshness: []Freshness{tt.f}})
			l := d.Freshness[0]
			if l.Stale != tt.stale || l.Age != tt.age || !strings.Contains(l.Reason, tt.reasonHas) {
				t.Errorf("got stale=%v age=%q reason=%q, want stale=%v age=%q reason~%q", l.Stale, l.Age, l.Reason, tt.stale, tt.age, tt.reasonHas)
			}
			if want := map[bool]int{true: 1, false: 0}[tt.stale]; d.StaleFeeds != want {
				t.Errorf("StaleFeeds = %d, want %d", d.StaleFeeds, want)
			}
		})
	}
}

func TestBuildReportsBrokenPlaybook(t *testing.T) {
	in := testInput(t)
	in.Playbook.Rules = append(in.Playbook.Rules, Rule{Name: "broken", Type: "listing.new", Suggest: "{{usd .x"})
	d := Build(in)
	if len(d.Problems) != 1 || !strings.Contains(d.Problems[0], "rules[") || !strings.Contains(d.Problems[0], "broken") {
		t.Errorf("problems = %q, want the broken rule named", d.Problems)
	}
	if len(d.Suggestions) == 0 {
		t.Error("one broken rule must not stop the others")
	}
}

// TestFlappedListingIsOneItem: delisted at 03:00 and listed again at 15:00
// the same day reads as one item, not a delisting and a new listing.
func TestFlappedListingIsOneItem(t *testing.T) {
	in := testInput(t)
	in.Changes = []diff.Change{
		change("okx", diff.ListingDelisted, "ORDI-USDT-SWAP", "ORDI/USDT:USDT", "", "trading", "removed (absent from 2 runs)", diff.High, 3, nil),
		change("okx", diff.ListingNew, "ORDI-USDT-SWAP", "ORDI/USDT:USDT", "", "", "trading", diff.High, 15, nil),
	}
	d := Build(in)
	var items []Event
	for _, s := range d.Sections {
		items = append(items, s.Events...)
	}
	if len(items) != 1 || items[0].Type != string(listingFlapped) || !strings.Contains(items[0].Summary, "flapped") {
		t.Fatalf("want one flapped item, got %+v", items)
	}
}

// TestAnnouncedAndListedSameDayIsOneItem: a perp launch announced at 03:00
// and live at 15:00 reads as its listing, which carries both times.
func TestAnnouncedAndListedSameDayIsOneItem(t *testing.T) {
	in := testInput(t)
	announced := change("binance", diff.ListingAnnounced, "NEWUSDT", "NEW/USDT:USDT", "a1", "", "launch 15:00 UTC", diff.High, 3, nil)
	listed := change("binance", diff.ListingNew, "NEWUSDT", "NEW/USDT:USDT", "", "", "trading", diff.High, 15,
		map[string]float64{"announced_at": float64(day.Add(3 * time.Hour).Unix())})
	in.Changes = []diff.Change{announced, listed}
	d := Build(in)
	var items []Event
	for _, s := range d.Sections {
		items = append(items, s.Events...)
	}
	if len(items) != 1 || items[0].Type != string(diff.ListingNew) {
		t.Fatalf("want the listing alone, got %+v", items)
	}
}
