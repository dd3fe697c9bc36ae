package daemon

import (
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/cmd/rivalwatch/internal/pipeline"
	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/configs"
	"github.com/rivalwatch/rivalwatch/diff"
	"github.com/rivalwatch/rivalwatch/reports"
	"github.com/rivalwatch/rivalwatch/store"
)

// waitLimit is the failure-only timeout of every wait: tests end as soon
// as what they wait for happens.
const waitLimit = 30 * time.Second

// fakeCollector is an exchange whose pulls the test writes.
type fakeCollector struct {
	name  string
	pulls collectors.Pulls
}

func (f fakeCollector) Exchange() string        { return f.name }
func (f fakeCollector) Pulls() collectors.Pulls { return f.pulls }

// instrument is a trading USDT perpetual of exchange.
func instrument(exchange, base string, listedAt time.Time) collectors.Instrument {
	return collectors.Instrument{Exchange: exchange, Symbol: base + "USDT", Unified: base + "/USDT:USDT", Base: base,
		Quote: "USDT", Settle: "USDT", ContractType: collectors.Perpetual, Margin: collectors.Linear,
		Status: collectors.StatusTrading, NativeStatus: "TRADING", ContractSize: 1, TickSize: 0.01, ListedAt: listedAt}
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "d.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// schedule runs every pull every second, the digest never.
func schedule(every string) configs.Schedule {
	return configs.Schedule{Timezone: "UTC", Digest: configs.Off, Retention: configs.Off,
		Jobs: configs.Jobs{Instruments: every, Funding: every, Market: every, Announcements: every, Fees: every, Yield: every}}
}

// options are a daemon's options on st with cs, listening on loopback.
func options(t *testing.T, st *store.Store, cs ...collectors.Collector) Options {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cs {
		names = append(names, c.Exchange())
	}
	return Options{
		Store: st, Detector: pipeline.NewDetector(st, diff.DefaultConfig(), names), Collectors: cs,
		Kinds: collectors.AllKinds, Schedule: schedule("@every 1s"), Exchanges: names,
		Digest: func(ctx context.Context, day time.Time) (reports.Digest, error) {
			in, err := pipeline.DigestInput(ctx, st, reports.Input{GeneratedAt: time.Now()}, names, day)
			return reports.Build(in), err
		},
		ReportsDir: t.TempDir(), Metrics: NewMetrics(), Listener: ln, Grace: waitLimit,
		ParseSince: func(s string, now time.Time) (time.Time, error) {
			d, err := time.ParseDuration(s)
			return now.Add(-d), err
		},
	}
}

// running is a daemon started by start.
type running struct {
	d    *Daemon
	url  string
	stop func() error
}

// start runs a daemon until the test stops it (or ends).
func start(t *testing.T, opts Options) *running {
	t.Helper()
	d, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	r := &running{d: d, url: "http://" + opts.Listener.Addr().String()}
	stopped := false
	r.stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(waitLimit):
			t.Fatal("the daemon did not stop")
			return nil
		}
	}
	t.Cleanup(func() {
		if err := r.stop(); err != nil {
			t.Error(err)
		}
	})
	return r
}

// get fetches path and returns the status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// metric reads one sample (name with its labels as printed) from /metrics;
// 0 when absent.
func metric(t *testing.T, base, sample string) float64 {
	t.Helper()
	_, body := get(t, base+"/metrics")
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(sample) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		return 0
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// eventually polls cond until it holds, failing after waitLimit.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runs returns the runs view's rows of exchange and kind as "status error_kind".
func runs(t *testing.T, st *store.Store, exchange, kind string) []string {
	t.Helper()
	res, err := st.Query(context.Background(), `SELECT status, COALESCE(error_kind, '') FROM runs WHERE exchange = ? AND kind = ? ORDER BY id`, exchange, kind)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, row := range res.Rows {
		out = append(out, strings.TrimSpace(row[0].(string)+" "+row[1].(string)))
	}
	return out
}
