package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/exchangetest"
	"github.com/rivalwatch/rivalwatch/collectors/okx"
	"github.com/rivalwatch/rivalwatch/configs"
)

// TestEverySecondAgainstALocalExchange: OKX served locally, every kind
// every second: each kind runs again and again, a new listing published
// between two pulls becomes an event with its detection lag, and the
// endpoints show it.
func TestEverySecondAgainstALocalExchange(t *testing.T) {
	base := time.Now().UTC()
	day1 := exchangetest.Generate(3, base, 0, 0, 8)
	day2 := exchangetest.Generate(3, base, 0, 0, 8)
	published := time.Now().UTC().Truncate(time.Millisecond)
	day2.OKX = append(day2.OKX, exchangetest.Listing{Base: "ZORA", Quote: "USDT", Settle: "USDT", Status: collectors.StatusTrading,
		ListedAt: published, TickSize: 0.0001, LotSize: 1, MinNotional: 5, MaxLeverage: 50, ContractSize: 1,
		FundingIntervalHours: 8, FundingCap: 0.02, FundingFloor: -0.02, FundingRate: 0.0001, Price: 0.05, Volume24hUSD: 3e7, OpenInterestUSD: 1e7})
	handlers := []http.Handler{exchangetest.Handler(day1, exchangetest.Options{}), exchangetest.Handler(day2, exchangetest.Options{})}
	var day atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handlers[day.Load()].ServeHTTP(w, r) }))
	defer srv.Close()

	st := openStore(t)
	metrics := NewMetrics()
	client := collectors.NewHTTPClient(10*time.Second, collectors.TransportOptions{UserAgent: "rivalwatch-test", MaxBodyBytes: 32 << 20,
		Base: metrics.Transport("okx", collectors.NewBaseTransport())})
	opts := options(t, st, okx.NewCollector(okx.Config{BaseURL: srv.URL}, client))
	opts.Metrics = metrics
	r := start(t, opts)

	for _, kind := range []string{"instruments", "funding", "market"} {
		eventually(t, "two runs of okx "+kind, func() bool { return len(runs(t, st, "okx", kind)) >= 2 })
	}
	day.Store(1)
	var events []map[string]any
	eventually(t, "the listing event", func() bool {
		code, body := get(t, r.url+"/api/changes?since=1h&type=listing.*")
		if code != http.StatusOK {
			t.Fatalf("/api/changes: %d %s", code, body)
		}
		if err := json.Unmarshal([]byte(body), &events); err != nil {
			t.Fatal(err)
		}
		return len(events) > 0
	})
	if events[0]["symbol"] != "ZORA-USDT-SWAP" || events[0]["type"] != "listing.new" || events[0]["summary"] == "" {
		t.Errorf("event: %v", events[0])
	}
	eventually(t, "the detection lag in the metrics", func() bool {
		return metric(t, r.url, `rivalwatch_detection_lag_seconds_count{kind="instruments"}`) == 1
	})
	for _, sample := range []string{
		`rivalwatch_runs_total{exchange="okx",kind="instruments",result="new"}`,
		`rivalwatch_requests_total{exchange="okx"}`,
		`rivalwatch_run_duration_seconds_count{exchange="okx",kind="funding"}`,
		`rivalwatch_last_complete_timestamp_seconds{exchange="okx",kind="market"}`,
		`go_goroutines`, `process_resident_memory_bytes`,
	} {
		if metric(t, r.url, sample) <= 0 {
			t.Errorf("/metrics: %s is missing or zero", sample)
		}
	}
	if code, body := get(t, r.url+"/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	code, page := get(t, r.url+"/")
	if code != http.StatusOK || !strings.Contains(page, `<td class="exchange">okx</td>`) || !strings.Contains(page, "ZORA-USDT-SWAP") {
		t.Errorf("status page (%d) lacks the feeds or the headline:\n%s", code, page)
	}
	if got := metric(t, r.url, `rivalwatch_rate_limited_total{exchange="okx"}`); got != 0 {
		t.Errorf("rate limited: %v", got)
	}
}

// TestPanickingPullIsAFailedRun: a pull that panics is recovered and
// stored as a failed run of kind internal; the daemon and the other kinds
// go on.
func TestPanickingPullIsAFailedRun(t *testing.T) {
	st := openStore(t)
	var instrumentsRuns atomic.Int32
	c := fakeCollector{name: "bybit", pulls: collectors.Pulls{
		collectors.KindFunding: func(context.Context) (collectors.Records, error) { panic("index out of range") },
		collectors.KindInstruments: func(context.Context) (collectors.Records, error) {
			instrumentsRuns.Add(1)
			return collectors.Records{Instruments: []collectors.Instrument{instrument("bybit", "BTC", time.Time{})}}, nil
		},
	}}
	r := start(t, options(t, st, c))
	eventually(t, "two failed funding runs", func() bool { return len(runs(t, st, "bybit", "funding")) >= 2 })
	for _, got := range runs(t, st, "bybit", "funding") {
		if got != "failed internal" {
			t.Errorf("funding run: %q, want failed internal", got)
		}
	}
	eventually(t, "instruments pulled after the panics", func() bool { return instrumentsRuns.Load() >= 2 })
	if code, _ := get(t, r.url+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz after panics: %d", code)
	}
	if metric(t, r.url, `rivalwatch_runs_total{exchange="bybit",kind="funding",result="failed"}`) < 2 {
		t.Error("failed runs not counted")
	}
}

// TestOverrunningJobIsSkipped: a pull slower than its interval is never
// run twice at once; the runs it misses are counted as skipped.
func TestOverrunningJobIsSkipped(t *testing.T) {
	st := openStore(t)
	release := make(chan struct{})
	var inside, most, calls atomic.Int32
	c := fakeCollector{name: "okx", pulls: collectors.Pulls{collectors.KindInstruments: func(ctx context.Context) (collectors.Records, error) {
		n := inside.Add(1)
		defer inside.Add(-1)
		if n > most.Load() {
			most.Store(n)
		}
		if calls.Add(1) == 1 {
			<-release
		}
		return collectors.Records{Instruments: []collectors.Instrument{instrument("okx", "BTC", time.Time{})}}, nil
	}}}
	r := start(t, options(t, st, c))
	eventually(t, "a skipped run", func() bool { return metric(t, r.url, `rivalwatch_jobs_skipped_total{job="okx instruments"}`) >= 2 })
	close(release)
	eventually(t, "runs after the slow one", func() bool { return len(runs(t, st, "okx", "instruments")) >= 2 })
	if most.Load() != 1 {
		t.Errorf("%d runs of one job at once, want 1", most.Load())
	}
}

// TestShutdownLetsRunningJobsFinish: after the stop signal no job starts,
// the one running finishes within the grace period and is stored, and Run
// returns nil.
func TestShutdownLetsRunningJobsFinish(t *testing.T) {
	st := openStore(t)
	entered, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	c := fakeCollector{name: "binance", pulls: collectors.Pulls{collectors.KindInstruments: func(ctx context.Context) (collectors.Records, error) {
		if calls.Add(1) == 1 {
			close(entered)
			<-release
		}
		return collectors.Records{Instruments: []collectors.Instrument{instrument("binance", "BTC", time.Time{})}}, nil
	}}}
	r := start(t, options(t, st, c))
	<-entered
	stopped := make(chan error, 1)
	go func() { stopped <- r.stop() }()
	eventually(t, "the scheduler to stop", func() bool { code, _ := get(t, r.url+"/healthz"); return code == http.StatusServiceUnavailable })
	close(release)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if got := runs(t, st, "binance", "instruments"); len(got) != 1 || got[0] != "new" {
		t.Errorf("runs: %q, want the one that was running, stored", got)
	}
	if calls.Load() != 1 {
		t.Errorf("%d pulls, want no new one after the stop signal", calls.Load())
	}
}

// TestGraceRunsOut: a job still running at the end of the grace period is
// cancelled, and shutdown completes.
func TestGraceRunsOut(t *testing.T) {
	st := openStore(t)
	entered := make(chan struct{})
	var once sync.Once
	c := fakeCollector{name: "okx", pulls: collectors.Pulls{collectors.KindMarket: func(ctx context.Context) (collectors.Records, error) {
		once.Do(func() { close(entered) })
		<-ctx.Done()
		return collectors.Records{}, ctx.Err()
	}}}
	opts := options(t, st, c)
	opts.Grace = 0
	r := start(t, opts)
	<-entered
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	if got := runs(t, st, "okx", "market"); len(got) == 0 || !strings.HasPrefix(got[0], "failed") {
		t.Errorf("runs: %q, want the cancelled pull recorded as failed", got)
	}
}

// unwritable is a store whose write check fails.
type unwritable struct{ Store }

func (unwritable) CheckWritable(context.Context) error { return errors.New("disk I/O error") }

// TestHealthz: 503 with the reason when the database takes no writes.
func TestHealthz(t *testing.T) {
	opts := options(t, openStore(t))
	opts.Store = unwritable{opts.Store}
	r := start(t, opts)
	eventually(t, "the scheduler", func() bool { return r.d.running.Load() })
	code, body := get(t, r.url+"/healthz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "disk I/O error") {
		t.Errorf("/healthz: %d %q", code, body)
	}
}

// TestChangesAPIRejectsBadQueries: bad parameters are a 400 saying what
// is accepted.
func TestChangesAPIRejectsBadQueries(t *testing.T) {
	r := start(t, options(t, openStore(t)))
	for _, q := range []string{"since=yesterday", "type=[", "since=-"} {
		code, body := get(t, r.url+"/api/changes?"+q)
		var e map[string]string
		if code != http.StatusBadRequest || json.Unmarshal([]byte(body), &e) != nil || e["error"] == "" {
			t.Errorf("%s: %d %s", q, code, body)
		}
	}
	if code, body := get(t, r.url+"/api/changes"); code != http.StatusOK || body != "[]\n" {
		t.Errorf("no events: %d %q", code, body)
	}
}

// TestOffIsNotScheduled: a job off, globally or for one exchange, and a
// kind the exchange does not publish, are not in the schedule.
func TestOffIsNotScheduled(t *testing.T) {
	pull := func(context.Context) (collectors.Records, error) { return collectors.Records{}, nil }
	cs := []collectors.Collector{
		fakeCollector{name: "binance", pulls: collectors.Pulls{collectors.KindInstruments: pull, collectors.KindFunding: pull}},
		fakeCollector{name: "okx", pulls: collectors.Pulls{collectors.KindInstruments: pull, collectors.KindFunding: pull, collectors.KindMarket: pull}},
	}
	opts := options(t, openStore(t), cs...)
	opts.Schedule = schedule("@every 5m")
	opts.Schedule.Funding = configs.Off
	opts.Schedule.Exchanges = map[string]configs.Jobs{"okx": {Instruments: configs.Off, Funding: "@every 1m"}}
	opts.Schedule.Digest = "0 8 * * *"
	d, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, j := range d.jobs {
		got = append(got, j.Name+" "+j.Spec)
	}
	want := "binance instruments @every 5m|okx funding @every 1m|okx market @every 5m|digest 0 8 * * *"
	if strings.Join(got, "|") != want {
		t.Errorf("jobs:\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
}
