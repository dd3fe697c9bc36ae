package classify

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// When is a point in time as precise as the text gives it.
type When struct {
	Time     time.Time // UTC; midnight when DateOnly
	DateOnly bool      // the text gave a day, not a time
}

// MarshalJSON writes RFC 3339 UTC, or a bare YYYY-MM-DD for a day.
func (w When) MarshalJSON() ([]byte, error) {
	return json.Marshal(w.String())
}

// String is the JSON form without quotes.
func (w When) String() string {
	if w.DateOnly {
		return w.Time.Format(time.DateOnly)
	}
	return w.Time.UTC().Format(time.RFC3339)
}

// restLen bounds the text read after a date for its time, zone or range
// end: the grammar never needs more, and a short input keeps the regexp
// engine on its fast path.
const restLen = 80

// mention is one date (with or without a time) found in a text.
type mention struct {
	start, end int
	w          When
	hasYear    bool
	tz         bool          // the mention carried its own time zone
	off        time.Duration // what its zone added to reach UTC
}

const monthNames = `jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?`

var (
	// 2026-01-08, 2026/01/08, 2026.01.08
	isoDate = regexp.MustCompile(`(20\d\d)[-/.](\d{1,2})[-/.](\d{1,2})`)
	// Jan 8, 2026 · January 8th 2026 · Jan 8
	monthDay = regexp.MustCompile(`(?i)\b(` + monthNames + `)\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(20\d\d)\b)?`)
	// 8 Jan 2026 · 8th January, 2026
	dayMonth = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+(` + monthNames + `)\b\.?(?:,?\s+(20\d\d)\b)?`)

	// A time after the date: " 15:00 (UTC)", ", 10AM UTC", "T15:00:00Z", " at 8:00 am (UTC+8)".
	timeAfter = regexp.MustCompile(`(?i)^(?:T|,?\s*(?:at\s+)?)(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?(?:\.\d+)?\s*(am|pm|a\.m\.|p\.m\.)?` + tzPart + `?`)
	// A time before the date: "10:00 UTC on ", "08:00 (UTC) on ".
	timeBefore = regexp.MustCompile(`(?i)(\d{1,2})(?::(\d{2}))?\s*(am|pm)?` + tzPart + `,?\s*(?:on\s+)?(?:\w+day,?\s+)?$`)
	tzPart     = `(\s*\(?\s*(?:UTC|GMT)\s*(?:([+-])\s*(\d{1,2})(?::?(\d{2}))?)?\s*\)?|Z\b)`
	// The bare time that ends a range on the same day: "to 04:00 (UTC)".
	rangeTime = regexp.MustCompile(`(?i)^\s*(?:to|until|till|through|-|–|—|~)\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm)?` + tzPart + `?`)
	// The bare day that ends a range in the same month: "Jan 8 – 15, 2026".
	rangeDay = regexp.MustCompile(`^\s*(?:-|–|—|~|to)\s*(\d{1,2})(?:st|nd|rd|th)?\b,?\s*(20\d\d)?`)
	// What joins the two ends of a range.
	rangeJoin = regexp.MustCompile(`(?i)^[\s(utc)]*(?:to|until|till|through|thru|and|-|–|—|~)[\s]*(?:\w+day,?\s+)?$`)
)

// mentions lists the dates of s in text order; a date without a year takes
// the year that puts it nearest after published (zero: left out).
func mentions(s string, published time.Time) []mention {
	var out []mention
	taken := func(a, b int) bool {
		for _, m := range out {
			if a < m.end && b > m.start {
				return true
			}
		}
		return false
	}
	add := func(start, end, y, mo, d int, hasYear bool) {
		if taken(start, end) || mo < 1 || mo > 12 || d < 1 || d > 31 {
			return
		}
		m := mention{start: start, end: end, hasYear: hasYear}
		if !hasYear {
			if published.IsZero() {
				return
			}
			y = yearNear(published, time.Month(mo), d)
		}
		m.w = When{Time: time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC), DateOnly: true}
		withTime(s, &m)
		out = append(out, m)
	}
	for _, g := range isoDate.FindAllStringSubmatchIndex(s, -1) {
		// A flattened table glues "Launch Time2026-01-08"; a longer number is no date.
		if g[0] > 0 && isDigit(s[g[0]-1]) || g[1] < len(s) && isDigit(s[g[1]]) {
			continue
		}
		add(g[0], g[1], atoi(s[g[2]:g[3]]), atoi(s[g[4]:g[5]]), atoi(s[g[6]:g[7]]), true)
	}
	if !anyMonth(s) {
		sortMentions(out)
		return out
	}
	for _, g := range monthDay.FindAllStringSubmatchIndex(s, -1) {
		y, has := 0, g[6] >= 0
		if has {
			y = atoi(s[g[6]:g[7]])
		}
		end := g[1]
		if !has {
			// "Jan 8 – Jan 15, 2026" and "Jan 8 – 15, 2026": the year comes later.
			if ys := trailingYear(s[end:min(len(s), end+restLen)]); ys > 0 {
				y, has = ys, true
			}
		}
		add(g[0], end, y, month(s[g[2]:g[3]]), atoi(s[g[4]:g[5]]), has)
	}
	for _, g := range dayMonth.FindAllStringSubmatchIndex(s, -1) {
		y, has := 0, g[6] >= 0
		if has {
			y = atoi(s[g[6]:g[7]])
		}
		add(g[0], g[1], y, month(s[g[4]:g[5]]), atoi(s[g[2]:g[3]]), has)
	}
	sortMentions(out)
	return out
}

// trailingYear finds the year a range's second end gives: "– Jan 15, 2026".
var trailingYearRe = regexp.MustCompile(`(?i)^[^.\n]{0,40}?\b(?:` + monthNames + `)?\.?\s*\d{1,2}(?:st|nd|rd|th)?,?\s+(20\d\d)\b`)

func trailingYear(rest string) int {
	j := rangeJoinStart.FindStringIndex(rest)
	if j == nil {
		return 0
	}
	if m := trailingYearRe.FindStringSubmatch(rest[j[1]:]); m != nil {
		return atoi(m[1])
	}
	return 0
}

var rangeJoinStart = regexp.MustCompile(`(?i)^[^.\n]{0,25}?(?:to|until|till|through|-|–|—|~)`)

func sortMentions(ms []mention) {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && ms[j].start < ms[j-1].start; j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

// withTime adds the time of day written after or before the date.
func withTime(s string, m *mention) {
	rest := s[m.end:min(len(s), m.end+restLen)]
	if t := timeAfter.FindStringSubmatchIndex(rest); t != nil && t[2] >= 0 {
		if setClock(rest, t[2:], m) {
			m.end += t[1]
			return
		}
	}
	before := s[max(0, m.start-40):m.start]
	if t := timeBefore.FindStringSubmatchIndex(before); t != nil {
		g := []int{t[2], t[3], t[4], t[5], -1, -1, t[6], t[7], t[8], t[9], t[10], t[11], t[12], t[13], t[14], t[15]}
		if t[8] >= 0 && setClock(before, g, m) { // a time before the date needs its zone: "10:00 UTC on"
			m.start -= len(before) - t[0]
		}
	}
}

// setClock applies hour, minute, second, am/pm and zone groups (pairs of
// indexes into s, as FindStringSubmatchIndex gives them) to m.
func setClock(s string, g []int, m *mention) bool {
	grp := func(i int) string {
		if g[2*i] < 0 {
			return ""
		}
		return s[g[2*i]:g[2*i+1]]
	}
	h, mi, sec := atoi(grp(0)), atoi(grp(1)), atoi(grp(2))
	ampm := strings.ToLower(strings.ReplaceAll(grp(3), ".", ""))
	zone := grp(4)
	if grp(1) == "" && ampm == "" {
		return false // a lone number after a date is not a time
	}
	switch {
	case ampm == "pm" && h < 12:
		h += 12
	case ampm == "am" && h == 12:
		h = 0
	}
	if h > 24 || mi > 59 || sec > 59 {
		return false
	}
	t := time.Date(m.w.Time.Year(), m.w.Time.Month(), m.w.Time.Day(), h, mi, sec, 0, time.UTC)
	if zone != "" {
		m.tz = true
		if sign := grp(5); sign != "" {
			off := time.Duration(atoi(grp(6)))*time.Hour + time.Duration(atoi(grp(7)))*time.Minute
			if sign == "+" {
				off = -off
			}
			t = t.Add(off)
			m.off = off
		}
	}
	m.w = When{Time: t}
	return true
}

// yearNear picks the year for a month and day written without one: the
// first that is not more than two months before publication.
func yearNear(published time.Time, mo time.Month, d int) int {
	y := published.Year()
	if time.Date(y, mo, d, 0, 0, 0, 0, time.UTC).Before(published.AddDate(0, -2, 0)) {
		return y + 1
	}
	return y
}

// anyMonth is the cheap test before the month-name grammars, which are
// slow to run over a long body that names no month.
func anyMonth(s string) bool {
	for _, m := range []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
		"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "JAN", "FEB", "MAR",
		"APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

func month(name string) int {
	switch strings.ToLower(name)[:3] {
	case "jan":
		return 1
	case "feb":
		return 2
	case "mar":
		return 3
	case "apr":
		return 4
	case "may":
		return 5
	case "jun":
		return 6
	case "jul":
		return 7
	case "aug":
		return 8
	case "sep":
		return 9
	case "oct":
		return 10
	case "nov":
		return 11
	}
	return 12
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
