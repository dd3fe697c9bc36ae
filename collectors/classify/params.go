package classify

import (
	"regexp"
	"strconv"
	"strings"
)

var (

	// hoursWords: "every four hours", "4 hours", "4-hour", "4h", "8 hrs".
	hoursWords  = regexp.MustCompile(`(?i)\b(?:every\s+)?(\d{1,2}|one|two|three|four|six|eight|twelve|twenty-four)[\s-]?(?:hours?|hrs?|h)|\bevery\s+hour|\bhourly`)
	hourNumbers = map[string]float64{"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "eight": 8, "twelve": 12, "twenty-four": 24}
)

// maxLeverage is the highest leverage the text states, leaving out the old
// value of a change; several contracts in one table ("50x40x") give their
// highest. It scans for the "x" by hand: a regexp over a long body costs
// more than the whole classification budget.
func maxLeverage(s string) float64 {
	best := 0.0
	for i := 0; i < len(s); i++ {
		c := s[i]
		mark := 1
		switch {
		case c == 'x' || c == 'X':
		case c == 0xC3 && i+1 < len(s) && s[i+1] == 0x97: // ×
			mark = 2
		default:
			continue
		}
		j := i
		if j > 0 && s[j-1] == ' ' {
			j--
		}
		k := j
		for k > 0 && (isDigit(s[k-1]) || s[k-1] == '.') && j-k < 6 {
			k--
		}
		if k == j || !isDigit(s[k]) {
			continue
		}
		if v, ok := leverageAt(s, k, j, i+mark); ok && v > best {
			best = v
		}
	}
	return best
}

// leverageAt judges the number s[from:to] written before an "x" that ends
// at end: a leverage when "leverage" or "up to" is near and it is not the
// old value of a change.
func leverageAt(s string, from, to, end int) (float64, bool) {
	if end < len(s) && isASCIILetter(s[end]) && !labelStart(s[end:]) {
		return 0, false // "4xx", "10xBTC"; "50xFunding" is a flattened table
	}
	if from > 0 && (isASCIILetter(s[from-1]) && s[from-1] != 'x' && s[from-1] != 'X') {
		// a digit glued to a word is a name (PEPE2x), except after a label ("Leverage50x") or another "40x"
		if !strings.HasSuffix(strings.ToLower(s[max(0, from-8):from]), "leverage") {
			return 0, false
		}
	}
	pre := strings.ToLower(s[max(0, from-60):from])
	post := strings.ToLower(s[end:min(len(s), end+40)])
	cue := strings.Contains(pre, "leverage") || strings.HasSuffix(strings.TrimRight(pre, " "), "up to") || strings.Contains(post, "leverage")
	if !cue || oldValue(pre) {
		return 0, false
	}
	v, err := strconv.ParseFloat(s[from:to], 64)
	return v, err == nil && v >= 1 && v <= 1000
}

// fundingInterval is the funding settlement interval in hours, the new one
// when the text describes a change.
func fundingInterval(s string) float64 {
	from := firstCue(s)
	if from < 0 {
		return 0 // most announcements never mention funding
	}
	// A value's cue is at most 30 bytes after it: read from just before the first cue.
	off := max(0, from-30)
	s = s[off:]
	for _, m := range hoursWords.FindAllStringSubmatchIndex(s, -1) {
		if m[1] < len(s) && s[m[1]] >= 'a' && s[m[1]] <= 'z' {
			continue // "8 holders" is a word, not a unit; "HoursEvery" (a flattened table) passes
		}
		pre := strings.ToLower(sentence(s[max(0, m[0]-160):m[0]]))
		post := strings.TrimLeft(strings.ToLower(s[m[1]:min(len(s), m[1]+30)]), " ")
		if firstCue(pre) < 0 && !strings.HasPrefix(post, "funding") && !strings.HasPrefix(post, "settlement") && !strings.HasPrefix(post, "interval") {
			continue
		}
		if oldValue(pre) {
			continue
		}
		v := 1.0
		if m[2] >= 0 {
			w := strings.ToLower(s[m[2]:m[3]])
			if n, ok := hourNumbers[w]; ok {
				v = n
			} else {
				v, _ = strconv.ParseFloat(w, 64)
			}
		}
		if v >= 1 && v <= 24 {
			return v
		}
	}
	return 0
}

// firstCue is where the first funding word is, -1 when there is none;
// strings.Index is much faster than a case-folding regexp on long bodies.
func firstCue(s string) int {
	first := -1
	for _, w := range []string{"funding", "Funding", "FUNDING", "settle", "Settle", "SETTLE", "interval", "Interval", "INTERVAL"} {
		if i := strings.Index(s, w); i >= 0 && (first < 0 || i < first) {
			first = i
		}
	}
	return first
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isASCIILetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

// labelStart tells a flattened table's next label ("Funding ...") from a
// word glued to a number.
func labelStart(s string) bool {
	return len(s) > 1 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'a' && s[1] <= 'z'
}

// sentence keeps the part of pre after its last sentence break, so a cue
// word belongs to the same sentence (or table row) as the number.
func sentence(pre string) string {
	if i := strings.LastIndex(pre, ". "); i >= 0 {
		pre = pre[i+2:]
	}
	return pre
}
