package webhook

import "time"

// Retry schedule defaults (config: alerts.max_backoff, alerts.give_up_after).
const (
	DefaultMaxBackoff  = 60 * time.Second
	DefaultGiveUpAfter = 72 * time.Hour
)

// backoff is the wait after failed attempt n (1 for the first): a random
// 1–5 s, doubled for each further attempt, at most maxWait. The jitter
// keeps many alerts failing together from retrying in lockstep.
func backoff(n int, rnd float64, maxWait time.Duration) time.Duration {
	d := time.Second + time.Duration(rnd*float64(4*time.Second))
	for i := 1; i < n && d < maxWait; i++ {
		d *= 2
	}
	return min(d, maxWait)
}
