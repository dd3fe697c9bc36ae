package classify

import "time"

// window finds the period an announcement is about: a labelled start
// (launch, effective or conversion time) and end, else the first range
// ("from A to B", "A – B"), else the first date; the body before the
// title, whose date is often only the day. A day-only start is made
// precise when the body gives a time on that day.
func window(title, body string, published time.Time) (start, end *When) {
	bm := keep(body, mentions(body, published))
	start, end = pick(body, bm)
	if start == nil {
		ts, te := pick(title, keep(title, mentions(title, published)))
		start = ts
		if end == nil {
			end = te
		}
	}
	if start != nil && start.DateOnly {
		for _, m := range bm {
			if !m.w.DateOnly && sameDay(m.w.Time, start.Time) {
				w := m.w
				start = &w
				break
			}
		}
	}
	return start, end
}

// keep drops dates that say when the article itself was written.
func keep(s string, ms []mention) []mention {
	out := ms[:0]
	for _, m := range ms {
		if !endsWithLabel(s[max(0, m.start-30):m.start], skipLabels) {
			out = append(out, m)
		}
	}
	return out
}

func pick(s string, ms []mention) (start, end *When) {
	if len(ms) == 0 {
		return nil, nil
	}
	label := func(m mention) string { return s[max(0, m.start-45):m.start] }
	si, ei, ui := -1, -1, -1
	for i, m := range ms {
		l := label(m)
		switch {
		case si < 0 && endsWithLabel(l, startLabels):
			si = i
		case ei < 0 && endsWithLabel(l, endLabels):
			ei = i
		case ui < 0 && endsWithLabel(l, untilLabels):
			ui = i
		}
	}
	at := func(i int) *When {
		w := ms[i].w
		return &w
	}
	if si >= 0 {
		if ei > si {
			return at(si), at(ei)
		}
		if e, ok := rangeEnd(s, ms, si); ok {
			return at(si), &e.When
		}
		return at(si), nil
	}
	for i := range ms {
		if e, ok := rangeEnd(s, ms, i); ok {
			w := ms[i].w
			if !ms[i].tz && e.off != 0 && !w.DateOnly {
				// "2026-01-08 10:00 to 2026-01-15 10:00 (UTC+8)": one zone for both ends.
				w.Time = w.Time.Add(e.off)
			}
			return &w, &e.When
		}
	}
	for i := range ms {
		if i != ei && i != ui {
			if ei > i {
				return at(i), at(ei)
			}
			return at(i), nil
		}
	}
	if ei >= 0 {
		return nil, at(ei)
	}
	return nil, at(ui)
}

// zoned is a range end with the zone correction it applied.
type zoned struct {
	When
	off time.Duration
}

// rangeEnd reads the end of a range that starts at ms[i]: another date
// joined by "to", "–", "until"; or a bare time or day on the same date
// ("2026-01-08 02:00 to 04:00 (UTC)", "Jan 8 – 15, 2026").
func rangeEnd(s string, ms []mention, i int) (zoned, bool) {
	m := ms[i]
	rest := s[m.end:min(len(s), m.end+restLen)]
	if i+1 < len(ms) && ms[i+1].start >= m.end && ms[i+1].start-m.end <= restLen {
		gap := s[m.end:ms[i+1].start]
		// Flattened tables glue the two ends: "Promotion Period2026-01-09 00:00 (UTC)2026-01-23 23:59 (UTC)".
		glued := gap == "" && endsWithLabel(s[max(0, m.start-30):m.start], periodLabels)
		if rangeJoin.MatchString(gap) || glued {
			n := ms[i+1]
			return zoned{n.w, n.off}, true
		}
	}
	if g := rangeTime.FindStringSubmatchIndex(rest); g != nil && !m.w.DateOnly {
		end := mention{w: When{Time: m.w.Time.Add(-m.off).Truncate(24 * time.Hour)}}
		groups := []int{g[2], g[3], g[4], g[5], -1, -1, g[6], g[7], g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]}
		if setClock(rest, groups, &end) {
			if end.off == 0 {
				end.w.Time = end.w.Time.Add(m.off)
			}
			return zoned{end.w, end.off}, true
		}
	}
	if g := rangeDay.FindStringSubmatch(rest); g != nil && m.w.DateOnly {
		d := atoi(g[1])
		t := m.w.Time
		if d > t.Day() && d <= 31 {
			return zoned{When: When{Time: time.Date(t.Year(), t.Month(), d, 0, 0, 0, 0, time.UTC), DateOnly: true}}, true
		}
	}
	return zoned{}, false
}

func sameDay(a, b time.Time) bool {
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}
