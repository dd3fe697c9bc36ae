package main

import (
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/cmd/rivalwatch/internal/pipeline"
	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/exchangetest"
	"github.com/rivalwatch/rivalwatch/collectors/replay"
	"github.com/rivalwatch/rivalwatch/configs"
	"github.com/rivalwatch/rivalwatch/store"
)

var benchLatency = flag.Duration("latency", 50*time.Millisecond, "latency added to every simulated exchange request in BenchmarkSweep")

// benchWorlds are two versions of a realistic full market (650 Binance,
// 550 Bybit and 270 OKX perpetuals, plus a few inverse ones): every
// funding rate and 24h volume differs between them, so alternating them
// stores a changed sweep each time.
func benchWorlds() [2]*exchangetest.World {
	a := exchangetest.Generate(42, time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), 650, 550, 270)
	b := clone(a)
	b.Now = a.Now.Add(5 * time.Minute)
	for _, ls := range [][]exchangetest.Listing{b.Binance, b.Bybit, b.OKX} {
		for i := range ls {
			ls[i].FundingRate += 0.00001
			ls[i].Volume24hUSD *= 1.01
			ls[i].OpenInterestUSD *= 0.99
		}
	}
	return [2]*exchangetest.World{a, b}
}

// benchSetup records the worlds into cassettes, replays them over loopback
// HTTP with latency per request, opens a fresh database and wires the real
// collectors at the replay server. Serving recorded bytes keeps the
// server's CPU out of the measurement. use picks the cassette served.
func benchSetup(b *testing.B, latency time.Duration) (use func(i int), st *store.Store, connect func() []collectors.Collector) {
	b.Helper()
	var handlers [2]http.Handler
	for i, w := range benchWorlds() {
		dir := filepath.Join(b.TempDir(), "cassette")
		recordWorld(b, w, dir)
		cas, err := replay.Load(os.DirFS(filepath.Dir(dir)), filepath.Base(dir))
		if err != nil {
			b.Fatal(err)
		}
		handlers[i] = cas.Handler()
	}
	var current atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(latency)
		handlers[current.Load()].ServeHTTP(w, r)
	}))
	b.Cleanup(srv.Close)
	use = func(i int) { current.Store(int32(i % 2)) }
	cfg, err := configs.LoadEmbedded("rivalwatch.yaml")
	if err != nil {
		b.Fatal(err)
	}
	pointAt(&cfg, srv.URL)
	st, err = store.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), store.Options{MinCountRatio: 0.5})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	connect = func() []collectors.Collector {
		// A fresh rate-limit budget per sweep, as when sweeps are minutes apart.
		cs, err := buildCollectors(cfg, "", nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		return cs
	}
	return use, st, connect
}

// BenchmarkSweep measures a full sweep (instruments, funding and market
// stats of all three exchanges) collected over loopback HTTP with
// -latency per request, stored and compared. Reported per sweep: wall
// time (ns/op), CPU time, database growth of a changed sweep.
func BenchmarkSweep(b *testing.B) {
	use, st, connect := benchSetup(b, *benchLatency)
	ctx := context.Background()
	d := pipeline.NewDetector(st, configs.Default().DiffConfig(), exchangeNames)
	oneSweep := func(i int) {
		use(i)
		results := pipeline.Collect(ctx, st, connect(), sweepKinds, time.Now)
		for _, r := range results {
			if r.Failed() {
				b.Fatalf("%s %s: %v %v %s", r.Snap.Exchange, r.Snap.Kind, r.Err, r.Snap.Err, r.Saved.Reason)
			}
		}
		d.Remember(results)
		if _, err := d.Pending(ctx); err != nil {
			b.Fatal(err)
		}
	}
	oneSweep(1) // the first sweep stores everything; measure the steady state
	size0 := dbSize(b, st)
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		oneSweep(i)
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
	b.ReportMetric(float64(dbSize(b, st)-size0)/float64(b.N)/1024, "KB-added/op")
	b.ReportMetric(float64(maxRSS())/1024, "peak-RSS-MB")
}

// BenchmarkUnchangedSweep measures what a sweep whose answers equal the
// previous one adds to the database.
func BenchmarkUnchangedSweep(b *testing.B) {
	_, st, connect := benchSetup(b, 0)
	ctx := context.Background()
	d := pipeline.NewDetector(st, configs.Default().DiffConfig(), exchangeNames)
	oneSweep := func() {
		for _, r := range pipeline.Collect(ctx, st, connect(), sweepKinds, time.Now) {
			if r.Failed() {
				b.Fatalf("%s %s: %v", r.Snap.Exchange, r.Snap.Kind, r.Snap.Err)
			}
		}
		if _, err := d.Pending(ctx); err != nil {
			b.Fatal(err)
		}
	}
	oneSweep()
	size0 := dbSize(b, st)
	b.ResetTimer()
	for b.Loop() {
		oneSweep()
	}
	b.StopTimer()
	b.ReportMetric(float64(dbSize(b, st)-size0)/float64(b.N), "bytes-added/op")
}

// dbSize is the database's logical size: its pages, wherever they sit
// (main file or WAL).
func dbSize(b *testing.B, st *store.Store) int64 {
	b.Helper()
	var size int64 = 1
	for _, pragma := range []string{"PRAGMA page_count", "PRAGMA page_size"} {
		res, err := st.Query(context.Background(), pragma)
		if err != nil {
			b.Fatal(err)
		}
		size *= res.Rows[0][0].(int64)
	}
	return size
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// maxRSS is the process's peak resident memory in KiB.
func maxRSS() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Maxrss
}

// sweepKinds are the kinds of the budgeted full sweep (DESIGN.md): the
// market APIs, without the announcement feeds and yield products.
var sweepKinds = []collectors.Kind{collectors.KindInstruments, collectors.KindFunding, collectors.KindMarket}
