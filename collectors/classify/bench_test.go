package classify

import "testing"

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
