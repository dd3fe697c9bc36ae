package classify

import (
	"regexp"
	"strconv"
	"strings"
)

var (
	// leverageX: "50x", "50X", "50×", also run together "50x40x".
	leverageX   = regexp.MustCompile(`(\d{1,3}(?:\.\d+)?)\s?[xX×]`)
	leverageCue = regexp.MustCompile(`(?i)(leverage|up to\s*$)`)
	// Old values of a change: "from 75x to 50x", "(previously 8 hours)".
	oldValue = regexp.MustCompile(`(?i)(from|previously|currently|was|original(?:ly)?|existing)\s*(?:the\s+)?(?:every\s+)?$`)

	// hoursWords: "every four hours", "4 hours", "4-hour", "4h", "8 hrs".
	hoursWords      = regexp.MustCompile(`(?i)\b(?:every\s+)?(\d{1,2}|one|two|three|four|six|eight|twelve|twenty-four)[\s-]?(?:hours?|hrs?|h)|\bevery\s+hour|\bhourly`)
	fundingCue      = regexp.MustCompile(`(?i)(funding|settlement|settle|interval)`)
	fundingCueAfter = regexp.MustCompile(`(?i)^\s*(?:funding|settlement|interval)`)
	hourNumbers     = map[string]float64{"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "eight": 8, "twelve": 12, "twenty-four": 24}
)

// maxLeverage is the highest leverage the text states, leaving out the old
// value of a change; several contracts in one table ("50x40x") give their
// highest.
func maxLeverage(s string) float64 {
	if !strings.ContainsAny(s, "xX×") {
		return 0
	}
	best := 0.0
	for _, m := range leverageX.FindAllStringSubmatchIndex(s, -1) {
		if m[1] < len(s) && isASCIILetter(s[m[1]]) && !labelStart(s[m[1]:]) {
			continue // "4xx", "10xBTC"; "50xFunding" is a flattened table
		}
		if m[0] > 0 && (isASCIILetter(s[m[0]-1]) && s[m[0]-1] != 'x' && s[m[0]-1] != 'X' || s[m[0]-1] == '.') {
			// a digit glued to a word is a name (PEPE2x), except after a label ("Leverage50x") or another "40x"
			if !strings.HasSuffix(strings.ToLower(s[max(0, m[0]-8):m[0]]), "leverage") {
				continue
			}
		}
		pre := s[max(0, m[0]-60):m[0]]
		post := s[m[1]:min(len(s), m[1]+40)]
		if !leverageCue.MatchString(pre) && !strings.Contains(strings.ToLower(post), "leverage") {
			continue
		}
		if oldValue.MatchString(pre) {
			continue
		}
		if v, err := strconv.ParseFloat(s[m[2]:m[3]], 64); err == nil && v >= 1 && v <= 1000 && v > best {
			best = v
		}
	}
	return best
}

// fundingInterval is the funding settlement interval in hours, the new one
// when the text describes a change.
func fundingInterval(s string) float64 {
	if !fundingCue.MatchString(s) {
		return 0 // the cheap test first: most announcements never mention funding
	}
	for _, m := range hoursWords.FindAllStringSubmatchIndex(s, -1) {
		if m[1] < len(s) && s[m[1]] >= 'a' && s[m[1]] <= 'z' {
			continue // "8 holders" is a word, not a unit; "HoursEvery" (a flattened table) passes
		}
		pre := sentence(s[max(0, m[0]-160):m[0]])
		post := s[m[1]:min(len(s), m[1]+30)]
		if !fundingCue.MatchString(pre) && !fundingCueAfter.MatchString(post) {
			continue
		}
		if oldValue.MatchString(pre) {
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
