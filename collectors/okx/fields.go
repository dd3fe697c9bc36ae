package okx

import (
	"time"
)

// observed is the exchange's timestamp, else our fetch time.
func (c *Collector) observed(ts time.Time) time.Time {
	if ts.IsZero() {
		return c.now().UTC()
	}
	return ts
}
