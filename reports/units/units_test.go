package units

import (
	"math"
	"testing"
)

func TestFormats(t *testing.T) {
	tests := []struct{ got, want string }{
		{Number(0.00001), "0.00001"},
		{Number(100), "100"},
		{Number(1e308), "1e+308"},
		{Number(math.NaN()), "n/a"},
		{USD(950), "$950"},
		{USD(12_345), "$12.3K"},
		{USD(999_999), "$1M"},
		{USD(2.1e9), "$2.1B"},
		{USD(-1.5e6), "-$1.5M"},
		{USD(1e308), "$1e+308"},
		{Bps(0.00045), "4.5 bps"},
		{SignedBps(0.000149), "+1.49 bps"},
		{SignedBps(-0.0001), "-1 bps"},
		{Pct(0.05), "5%"},
		{PctYr(0.123), "12.3%/yr"},
		{SignedPctYr(1.095), "+109.5%/yr"},
		{SignedPctYr(-0.219), "-21.9%/yr"},
		{PctYr(1e300), "1e+302%/yr"},
		{Hours(8), "8 h"},
		{Hours(0.5), "0.5 h"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// TestBoundedWidth: no formatter prints more than a few dozen characters,
// whatever number an exchange sends.
func TestBoundedWidth(t *testing.T) {
	for _, v := range []float64{1e308, -1e308, 1e-300, math.MaxFloat64, math.SmallestNonzeroFloat64, 123456789012345678} {
		for _, s := range []string{Number(v), Trim(v, 2), Sig3(v), USD(v), Bps(v), Pct(v), PctYr(v), Hours(v)} {
			if len(s) > 24 {
				t.Errorf("%g printed as %d characters: %s", v, len(s), s)
			}
		}
	}
}
