package classify

import (
	"strings"
	"testing"
)

// BenchmarkClassify classifies 1,000 announcements drawn from the labelled
// set per iteration; ns/op divided by 1,000 is the cost of one announcement
// (budget 1 ms).
func BenchmarkClassify(b *testing.B) {
	rules := defaultRules(b)
	set := readLabelled(b, "testdata/labelled.jsonl")
	ins := make([]Input, 1000)
	for i := range ins {
		ins[i] = set[i%len(set)].input()
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, in := range ins {
			rules.Classify(in)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/announcement")
}

// BenchmarkClassifyLongBody is the worst case: a 4.9 KB body under a title
// no rule decides, so the body rules and every extractor read all of it.
func BenchmarkClassifyLongBody(b *testing.B) {
	rules := defaultRules(b)
	body := strings.Repeat("Binance Futures will launch the AVNTUSDT perpetual contract at 2026-01-08 15:00 (UTC) with up to 50x leverage. Users should note the risks. ", 35)
	in := Input{Exchange: "binance", Title: "Notice on Something", Body: body}
	b.ReportAllocs()
	for b.Loop() {
		rules.Classify(in)
	}
}
