package classify

import "strings"

// Labels are matched by hand at the end of the text before a value:
// a case-folding regexp anchored at the end tries every start position and
// costs more than the rest of the classification.

var (
	// startLabels precede a start: "Launch Time2026-01-08 15:00 (UTC)", "Effective Time:".
	startLabels = []string{"launch time", "launch date", "start time", "start date", "starting time", "starting date",
		"opening time", "effective time", "effective date", "effective from", "effective as of", "effective",
		"conversion time", "listing time", "trading time", "trading start time", "delisting time", "delisting date",
		"event starts", "event begins", "campaign starts", "campaign begins", "promotion starts", "competition starts"}
	// endLabels precede an end.
	endLabels = []string{"end time", "end date", "ending time", "ending date", "close time", "closing time", "deadline",
		"event ends", "campaign ends", "promotion ends", "competition ends", "period ends", "expiry", "expiration",
		"expiry time", "expiration date", "expires"}
	// untilLabels end a period only when nothing else starts one: "extended
	// until 2026-06-30"; beside a delisting time it is a withdrawal deadline.
	untilLabels = []string{"until", "till", "through", "extended to"}
	// skipLabels say when the article itself was written.
	skipLabels = []string{"published", "posted", "updated", "announced", "released", "last modified"}
	// periodLabels head a range whose ends a flattened table glues together.
	periodLabels = []string{"period", "duration", "window", "timeline"}
	// oldWords precede the old value of a change: "from 75x to 50x", "(previously 8 hours)".
	oldWords = []string{"from", "previously", "currently", "was", "originally", "original", "existing"}
)

// endsWithLabel reports whether pre, the text before a value, ends with one of
// labels, ignoring case, spaces, a colon, "(UTC)" and a joining at/on/from.
func endsWithLabel(pre string, labels []string) bool {
	return endsWith(trimLabel(strings.ToLower(pre), labelTails), labels)
}

// oldValue reports whether pre ends with a word that introduces the old
// value of a change, ignoring "the" and "every" after it.
func oldValue(pre string) bool {
	return endsWith(trimLabel(strings.ToLower(pre), []string{" the", " every"}), oldWords)
}

// labelTails are joining words between a label and its value.
var labelTails = []string{"(utc)", " at", " on", " from", " the", " every"}

func endsWith(w string, labels []string) bool {
	for _, l := range labels {
		if strings.HasSuffix(w, l) && (len(w) == len(l) || !isASCIILetter(w[len(w)-len(l)-1])) {
			return true
		}
	}
	return false
}

func trimLabel(w string, tails []string) string {
	for {
		before := w
		w = strings.TrimRight(w, " \t\n:：")
		for _, tail := range tails {
			w = strings.TrimSuffix(w, tail)
		}
		if w == before {
			return w
		}
	}
}
