package reports

import (
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/diff"
)

// sourceVerbs say what the source time of a kind's events is; other kinds
// (announcements) are "published".
var sourceVerbs = map[collectors.Kind]string{
	collectors.KindInstruments: "listed",
}

// sourceAndSeen is the "since" of an event whose source carries a time:
// "listed 10:00:00, seen 10:00:40 UTC", so a reader sees how late we were.
func sourceAndSeen(c diff.Change, day time.Time) string {
	verb, ok := sourceVerbs[c.Kind]
	if !ok {
		verb = "published"
	}
	if _, linked := c.Evidence["announced_at"]; linked {
		verb = "announced" // a listing timed from the announcement that came first
	}
	clock := func(t time.Time) string {
		t = t.UTC()
		if y, m, d := t.Date(); y == day.Year() && m == day.Month() && d == day.Day() {
			return t.Format("15:04:05")
		}
		return t.Format("2006-01-02 15:04:05")
	}
	return verb + " " + clock(c.SourceAt) + ", seen " + clock(c.DetectedAt) + " UTC"
}
