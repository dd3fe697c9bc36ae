package reports

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/diff"
)

// TestDetectionLagInDigest: an event whose source carries a time says when
// it happened and when it was seen, in every format.
func TestDetectionLagInDigest(t *testing.T) {
	in := testInput(t)
	listing := change("binance", diff.ListingNew, "XYZUSDT", "XYZ/USDT:USDT", "", "", "trading", diff.High, 10, nil)
	listing.SourceAt = listing.DetectedAt.Add(-40 * time.Second)
	yesterday := change("okx", diff.ListingNew, "OLDUSDT", "OLD/USDT:USDT", "", "", "trading", diff.High, 0, nil)
	yesterday.SourceAt = yesterday.DetectedAt.Add(-time.Minute)
	in.Changes = []diff.Change{listing, yesterday}
	d := Build(in)
	want := map[string]string{
		"XYZUSDT": "listed 09:59:20, seen 10:00:00 UTC",
		"OLDUSDT": "listed " + day.Add(-time.Minute).Format("2006-01-02") + " 23:59:00, seen 00:00:00 UTC",
	}
	for _, e := range d.Sections[0].Events {
		if e.Since != want[e.Symbol] {
			t.Errorf("%s: since %q, want %q", e.Symbol, e.Since, want[e.Symbol])
		}
		if e.SourceAt.IsZero() {
			t.Errorf("%s: no source time in the digest's data", e.Symbol)
		}
	}
	var html, md bytes.Buffer
	if err := RenderHTML(&html, d); err != nil {
		t.Fatal(err)
	}
	if err := RenderMarkdown(&md, d, nil); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"html": html.String(), "md": md.String()} {
		if !strings.Contains(out, want["XYZUSDT"]) {
			t.Errorf("the %s digest does not show %q", name, want["XYZUSDT"])
		}
	}
}
