package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/exchangetest"
	"github.com/rivalwatch/rivalwatch/store"
)

// lagInterval is the benchmark's schedule, scaled down: the replay is
// pulled every lagInterval, and each figure is also reported as if the
// schedule were the default announcements (1m) or instruments (5m) one,
// the same ratio of lag to interval.
const lagInterval = 2 * time.Second

// BenchmarkDetectionLag publishes b.N rival events at random times on a
// local replay that the daemon pulls on a schedule, and measures how late
// they are seen: detected_at − the source's own time (the changes view's
// detection_lag_s), and the wall time from publication until the event is
// stored. It runs for announcements (an OKX delisting notice; the source
// time is its publication) and for listings (a new OKX contract; its
// listing time). Run with -benchtime 40x or more for a stable 95th
// percentile.
func BenchmarkDetectionLag(b *testing.B) {
	kinds := []struct {
		kind    collectors.Kind
		publish func(w *exchangetest.World, n int, at time.Time)
	}{
		{collectors.KindAnnouncements, func(w *exchangetest.World, n int, at time.Time) {
			base := fmt.Sprintf("DL%c%c", 'A'+n/26%26, 'A'+n%26)
			w.OKXNews = append(w.OKXNews, exchangetest.Article{ID: "okx-to-delist-" + strings.ToLower(base) + "-usdt-swap",
				Feed: "announcements-delistings", PublishedAt: at,
				Title: "OKX to delist " + base + "-USDT-SWAP perpetual contract",
				Body:  "OKX will delist the " + base + "-USDT-SWAP perpetual contract at 08:00 UTC on " + at.AddDate(0, 0, 7).Format("Jan 2, 2006") + "."})
		}},
		{collectors.KindInstruments, func(w *exchangetest.World, n int, at time.Time) {
			w.OKX = append(w.OKX, exchangetest.Listing{Base: fmt.Sprintf("NEW%d", n), Quote: "USDT", Settle: "USDT",
				Status: collectors.StatusTrading, ListedAt: at, TickSize: 0.0001, LotSize: 1, MinNotional: 5, MaxLeverage: 50,
				ContractSize: 1, FundingIntervalHours: 8, FundingCap: 0.02, FundingFloor: -0.02, FundingRate: 0.0001,
				Price: 0.05, Volume24hUSD: 3e7, OpenInterestUSD: 1e7})
		}},
	}
	for _, k := range kinds {
		b.Run(string(k.kind), func(b *testing.B) {
			world := exchangetest.Generate(9, time.Now(), 0, 0, 30)
			var handler atomic.Pointer[http.Handler]
			h := exchangetest.Handler(world, exchangetest.Options{})
			handler.Store(&h)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*handler.Load()).ServeHTTP(w, r) }))
			defer srv.Close()
			cfgPath, db := serveConfig(b, srv.URL)
			cfg, err := loadConfig(commonFlags{config: cfgPath})
			if err != nil {
				b.Fatal(err)
			}
			spec := "@every " + lagInterval.String()
			cfg.Collect.Kinds = []string{string(k.kind)}
			cfg.Schedule.Jobs.Instruments, cfg.Schedule.Jobs.Announcements = spec, spec
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			started := make(chan struct{})
			go func() {
				done <- serve(ctx, newEnv(nil, discard{}, os.Stderr, time.Now), cfg, serveExtras{ready: func(string) { close(started) }})
			}()
			<-started
			count := func() int {
				st, err := store.OpenReadOnly(ctx, db)
				if err != nil {
					b.Fatal(err)
				}
				defer st.Close()
				res, err := st.Query(ctx, `SELECT COUNT(*) FROM changes WHERE source_at IS NOT NULL`)
				if err != nil {
					b.Fatal(err)
				}
				return int(res.Rows[0][0].(int64))
			}
			// The first pull is the baseline: nothing before it is news.
			waitUntil(b, func() bool { return len(runsOf(b, db)) > 0 })
			rng := rand.New(rand.NewPCG(1, 2))
			var stored []float64
			b.ResetTimer()
			for i := range b.N {
				time.Sleep(time.Duration(rng.Int64N(int64(lagInterval))))
				at := time.Now().UTC().Truncate(time.Millisecond)
				next := *world
				next.OKX, next.OKXNews = slices.Clone(world.OKX), slices.Clone(world.OKXNews)
				k.publish(&next, i, at)
				world = &next
				h := exchangetest.Handler(world, exchangetest.Options{})
				handler.Store(&h)
				waitUntil(b, func() bool { return count() == i+1 })
				stored = append(stored, time.Since(at).Seconds())
			}
			b.StopTimer()
			cancel()
			if err := <-done; err != nil {
				b.Fatal(err)
			}
			lags := lagsOf(b, db)
			if len(lags) != b.N {
				b.Fatalf("%d events with a detection lag, want %d", len(lags), b.N)
			}
			// At the default schedule the wait for the next pull grows
			// with the interval; the pull itself (requests, article
			// pages, storing) takes as long as here.
			atMinute := make([]float64, b.N)
			for i, lag := range lags {
				atMinute[i] = lag/lagInterval.Seconds()*60 + stored[i] - lag
			}
			p95 := percentile(lags, 0.95)
			b.ReportMetric(p95, "p95_lag_s")
			b.ReportMetric(percentile(stored, 0.95), "p95_stored_s")
			b.ReportMetric(p95/lagInterval.Seconds(), "p95_lag_intervals")
			b.ReportMetric(p95/lagInterval.Seconds()*60, "p95_lag_at_1m_s")
			b.ReportMetric(percentile(atMinute, 0.95), "p95_stored_at_1m_s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func waitUntil(b *testing.B, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(serveWait)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func runsOf(b *testing.B, db string) [][]any {
	return queryDB(b, db, `SELECT id FROM runs WHERE complete = 1`)
}

func lagsOf(b *testing.B, db string) []float64 {
	var out []float64
	for _, row := range queryDB(b, db, `SELECT detection_lag_s FROM changes WHERE detection_lag_s IS NOT NULL ORDER BY detected_at, id`) {
		out = append(out, row[0].(float64))
	}
	return out
}

func queryDB(b *testing.B, db, q string) [][]any {
	b.Helper()
	st, err := store.OpenReadOnly(context.Background(), db)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	res, err := st.Query(context.Background(), q)
	if err != nil {
		b.Fatal(err)
	}
	return res.Rows
}

// percentile is the nearest-rank percentile p (0–1) of vs.
func percentile(vs []float64, p float64) float64 {
	s := slices.Sorted(slices.Values(vs))
	i := int(float64(len(s))*p+0.999999) - 1
	return s[max(min(i, len(s)-1), 0)]
}
