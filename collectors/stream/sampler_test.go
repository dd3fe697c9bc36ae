package stream

import (
	"fmt"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

func TestSampler(t *testing.T) {
	at := func(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }
	f := func(sym string, sec int, rate float64) collectors.Funding {
		return collectors.Funding{Exchange: "x", Symbol: sym, Rate: rate, ObservedAt: at(sec)}
	}
	type step struct {
		now  int                  // our clock, seconds after t0
		add  []collectors.Funding // nil: a Flush at now
		want string               // what is emitted, "" for nothing
	}
	tests := []struct {
		name  string
		steps []step
		late  int64
	}{
		{"latest of each symbol per minute, emitted after the grace", []step{
			{now: 1, add: []collectors.Funding{f("B", 1, 1), f("A", 2, 1)}},
			{now: 30, add: []collectors.Funding{f("A", 30, 2), f("A", 20, 9)}}, // 20 s is older than 30 s: kept out
			{now: 62, add: []collectors.Funding{f("A", 61, 3)}},                // the minute closed, grace not over
			{now: 65, want: "A@30=2 B@1=1"},
		}, 0},
		{"a quiet stream flushes on the clock", []step{
			{now: 10, add: []collectors.Funding{f("A", 10, 1)}},
			{now: 64},
			{now: 70, want: "A@10=1"},
			{now: 3600},
		}, 0},
		{"a fast stream closes steps as it adds", []step{
			{now: 0, add: []collectors.Funding{f("A", 0, 1)}},
			{now: 125, add: []collectors.Funding{f("A", 125, 3)}, want: "A@0=1"},
		}, 0},
		{"a sample for an emitted minute is dropped", []step{
			{now: 10, add: []collectors.Funding{f("A", 10, 1)}},
			{now: 70, want: "A@10=1"},
			// B's minute is over but B was never emitted: out at once.
			{now: 71, add: []collectors.Funding{f("A", 59, 5), f("B", 59, 5)}, want: "B@59=5"},
		}, 1},
		{"exchanges do not mix", []step{
			{now: 0, add: []collectors.Funding{f("A", 1, 1), {Exchange: "y", Symbol: "A", Rate: 2, ObservedAt: at(2)}}},
			{now: 65, want: "A@1=1 A@2=2"},
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var clk clock
			var got []string
			s := NewSampler(0, clk.Now, func(fs []collectors.Funding) {
				out := ""
				for i, f := range fs {
					if i > 0 {
						out += " "
					}
					out += fmt.Sprintf("%s@%g=%g", f.Symbol, f.ObservedAt.Sub(t0).Seconds(), f.Rate)
				}
				got = append(got, out)
			})
			for i, st := range tt.steps {
				got = nil
				clk.Set(at(st.now))
				if st.add != nil {
					s.Add(st.add)
				} else {
					s.Flush(at(st.now))
				}
				want := []string(nil)
				if st.want != "" {
					want = []string{st.want}
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("step %d: emitted %q, want %q", i, got, want)
				}
			}
			if s.Late() != tt.late {
				t.Errorf("late %d, want %d", s.Late(), tt.late)
			}
		})
	}
}

func TestSamplerClose(t *testing.T) {
	var clk clock
	clk.Set(t0)
	var got []collectors.Funding
	s := NewSampler(time.Hour, clk.Now, func(fs []collectors.Funding) { got = append(got, fs...) })
	s.Add([]collectors.Funding{{Exchange: "x", Symbol: "A", ObservedAt: t0.Add(time.Minute)}})
	if len(got) != 0 {
		t.Fatalf("emitted %+v inside the open hour", got)
	}
	s.Close()
	if len(got) != 1 {
		t.Fatalf("Close emitted %d samples, want the open one", len(got))
	}
	s.Add([]collectors.Funding{{Exchange: "x", Symbol: "A", ObservedAt: t0.Add(2 * time.Minute)}})
	s.Close()
	if len(got) != 1 || s.Late() != 1 {
		t.Errorf("a sample for the hour emitted at Close: got %d rows, late %d; want 1 row, 1 late", len(got), s.Late())
	}
}

func BenchmarkSampler(b *testing.B) {
	// A Binance !markPrice@arr message: about 600 symbols each second.
	batch := make([]collectors.Funding, 600)
	for i := range batch {
		batch[i] = collectors.Funding{Exchange: "binance", Symbol: fmt.Sprintf("S%03dUSDT", i)}
	}
	var clk clock
	s := NewSampler(time.Minute, clk.Now, func([]collectors.Funding) {})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		at := t0.Add(time.Duration(i) * time.Second)
		clk.Set(at)
		for j := range batch {
			batch[j].ObservedAt = at
		}
		s.Add(batch)
	}
}
