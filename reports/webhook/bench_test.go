package webhook_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/diff"
	"github.com/rivalwatch/rivalwatch/reports/webhook"
	"github.com/rivalwatch/rivalwatch/store"
)

// events are n fee events whose IDs are unique across the benchmark's
// iterations (round).
func events(round, n int) []diff.Change {
	out := make([]diff.Change, n)
	for i := range out {
		sym := fmt.Sprintf("VIP%d", i)
		out[i] = diff.Change{
			ID: diff.ChangeID("bybit", "fee.tier", sym, "taker", "4.5 bps", int64(round*n+i)), Exchange: "bybit",
			Kind: "fees", Type: "fee.tier", Symbol: sym, Field: "taker", Old: "5.5 bps", New: "4.5 bps",
			Severity: diff.High, DetectedAt: time.Now(), Evidence: map[string]float64{"old_rate": 0.00055, "new_rate": 0.00045},
		}
	}
	return out
}

func openBench(b *testing.B) *store.Store {
	b.Helper()
	st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// BenchmarkCommitToDelivery measures how long an alert takes from the
// commit of its event to its arrival at a local receiver, with the sender
// running as the daemon runs it (Run, woken by Notify). Budget: 50 ms
// median.
func BenchmarkCommitToDelivery(b *testing.B) {
	st := openBench(b)
	arrived := make(chan time.Time, 1)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- time.Now()
	}))
	defer rcv.Close()
	s := &webhook.Sender{Outbox: st, Hooks: map[string]webhook.Hook{"ops": {URL: rcv.URL, Secret: "bench"}}, Poll: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		s.Run(ctx)
	}()
	defer func() { cancel(); <-stopped }()

	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		if _, err := st.SaveChanges(ctx, events(i, 1), s.Route); err != nil {
			b.Fatal(err)
		}
		committed := time.Now()
		s.Notify()
		lat = append(lat, (<-arrived).Sub(committed))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(ms(lat[len(lat)/2]), "ms/median")
	b.ReportMetric(ms(lat[len(lat)*95/100]), "ms/p95")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkThroughput measures SendDue over 10,000 queued deliveries to
// local receivers: to one webhook (strictly in order, one at a time) and
// spread over four (their queues drain concurrently).
func BenchmarkThroughput(b *testing.B) {
	const deliveries = 10_000
	for _, hooks := range []int{1, 4} {
		b.Run(fmt.Sprintf("webhooks=%d", hooks), func(b *testing.B) {
			st := openBench(b)
			rcv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			defer rcv.Close()
			s := &webhook.Sender{Outbox: st, Hooks: map[string]webhook.Hook{}}
			for h := range hooks {
				s.Hooks[fmt.Sprintf("hook%d", h)] = webhook.Hook{URL: rcv.URL, Secret: "bench"}
			}
			var elapsed time.Duration
			for i := range b.N {
				b.StopTimer()
				if _, err := st.SaveChanges(context.Background(), events(i, deliveries/hooks), s.Route); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				r, err := s.SendDue(context.Background())
				elapsed += time.Since(start)
				if err != nil || r.Delivered != deliveries {
					b.Fatalf("delivered %+v, %v; want %d", r, err, deliveries)
				}
			}
			b.ReportMetric(float64(deliveries*b.N)/elapsed.Seconds(), "deliveries/s")
		})
	}
}
