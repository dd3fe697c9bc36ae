package webhook

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		attempt int
		rnd     float64
		max     time.Duration
		want    time.Duration
	}{
		{1, 0, time.Minute, time.Second},
		{1, 0.999999999, time.Minute, 5 * time.Second},
		{1, 0.5, time.Minute, 3 * time.Second},
		{2, 0.5, time.Minute, 6 * time.Second},
		{3, 0.5, time.Minute, 12 * time.Second},
		{5, 0.5, time.Minute, 48 * time.Second},
		{6, 0.5, time.Minute, time.Minute},
		{1000, 0.5, time.Minute, time.Minute}, // no overflow
		{1, 0.5, 2 * time.Second, 2 * time.Second},
	} {
		if got := backoff(tc.attempt, tc.rnd, tc.max); got.Round(time.Millisecond) != tc.want {
			t.Errorf("backoff(%d, %v, %s) = %s, want %s", tc.attempt, tc.rnd, tc.max, got, tc.want)
		}
	}
}
