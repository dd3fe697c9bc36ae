package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors/exchangetest"
	"github.com/rivalwatch/rivalwatch/collectors/stream/streamtest"
	"github.com/rivalwatch/rivalwatch/store"
)

// serveWait is the failure-only timeout of the serve tests' waits.
const serveWait = 60 * time.Second

// serveConfig writes a config pulling only OKX from base, listening on a
// free loopback port, and returns its path and database.
func serveConfig(t testing.TB, base string) (cfgPath, db string) {
	t.Helper()
	dir := t.TempDir()
	db = filepath.Join(dir, "serve.db")
	cfg := fmt.Sprintf(`database: %s
exchanges:
  binance: {enabled: false}
  bybit: {enabled: false}
  okx: {rest: {v5: %[2]q, articles: %[2]q}}
serve: {listen: "127.0.0.1:0", reports_dir: %[3]q, grace: 60s}
collect: {kinds: [instruments, funding, market]}
streams: {enabled: false}
`, db, base, filepath.Join(dir, "reports"))
	cfgPath = filepath.Join(dir, "serve.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfgPath, db
}

// TestServeSIGTERMMidRun: a serve process gets SIGTERM while a pull waits
// on the exchange; it lets the pull finish, exits 0, and leaves a
// consistent database with every started pull recorded.
func TestServeSIGTERMMidRun(t *testing.T) {
	if cfg := os.Getenv("RIVALWATCH_SERVE_CHILD"); cfg != "" {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		err := run(ctx, newEnv(strings.NewReader(""), os.Stdout, os.Stderr, time.Now), []string{"serve", "--config", cfg})
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "serve:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	exchange := exchangetest.Handler(exchangetest.Generate(5, time.Now(), 0, 0, 6), exchangetest.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		first := false
		once.Do(func() { first = true })
		if first {
			close(entered)
			<-release
		}
		exchange.ServeHTTP(w, r)
	}))
	defer srv.Close()
	cfg, db := serveConfig(t, srv.URL)

	cmd := exec.Command(os.Args[0], "-test.run=^TestServeSIGTERMMidRun$")
	cmd.Env = append(os.Environ(), "RIVALWATCH_SERVE_CHILD="+cfg)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		exited <- cmd.Wait()
	}()
	var out []string
	var url string
	for l := range lines {
		out = append(out, l)
		if _, after, ok := strings.Cut(l, "status page on "); ok {
			url, _, _ = strings.Cut(after, " ")
			break
		}
	}
	select {
	case <-entered:
	case <-time.After(serveWait):
		cmd.Process.Kill()
		t.Fatalf("no request reached the exchange; stderr:\n%s", stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The daemon stops starting jobs (its health check says so) while the
	// pull it is in waits; then that pull finishes.
	deadline := time.Now().Add(serveWait)
	for {
		resp, err := http.Get(url + "healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("serve still healthy after SIGTERM")
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	for l := range lines {
		out = append(out, l)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("serve exited with %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(serveWait):
		cmd.Process.Kill()
		t.Fatal("serve did not exit after SIGTERM")
	}
	if !strings.Contains(strings.Join(out, "\n"), "stopped cleanly") {
		t.Errorf("output:\n%s", strings.Join(out, "\n"))
	}
	st, err := store.OpenReadOnly(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	res, err := st.Query(context.Background(), "PRAGMA integrity_check")
	if err != nil || fmt.Sprint(res.Rows) != "[[ok]]" {
		t.Fatalf("integrity check: %v %v", res.Rows, err)
	}
	res, err = st.Query(context.Background(), "SELECT kind, status FROM runs WHERE exchange = 'okx' ORDER BY kind")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(res.Rows) != "[[funding new] [instruments new] [market new]]" {
		t.Errorf("runs: %v, want each pull started before SIGTERM recorded once", res.Rows)
	}
}

// TestServeRefusesSecondInstance: a second serve on the same database
// refuses to start and names the process holding it.
func TestServeRefusesSecondInstance(t *testing.T) {
	srv := httptest.NewServer(exchangetest.Handler(exchangetest.Generate(5, time.Now(), 0, 0, 6), exchangetest.Options{}))
	defer srv.Close()
	cfg, _ := serveConfig(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	out := &syncBuffer{}
	go func() { first <- run(ctx, testEnv(t, out, out), []string{"serve", "--config", cfg}) }()
	deadline := time.Now().Add(serveWait)
	for !strings.Contains(out.String(), "status page on") {
		if time.Now().After(deadline) {
			t.Fatalf("the first serve did not start:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	_, err := rw(t, "serve", "--config", cfg)
	if err == nil || !strings.Contains(err.Error(), "in use by another rivalwatch serve") || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Errorf("second serve: %v", err)
	}
	cancel()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
}

// syncBuffer is a strings.Builder safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeRunsStreamsAndRetention: serve starts the live funding stream
// once its first pulls are stored, stores the stream's samples, records
// the outage when the connection drops and comes back, shows the stream
// on the status page and in /metrics, and runs the retention job on its
// schedule.
func TestServeRunsStreamsAndRetention(t *testing.T) {
	srv := httptest.NewServer(exchangetest.Handler(exchangetest.Generate(5, time.Now(), 0, 0, 4), exchangetest.Options{}))
	defer srv.Close()
	ws := streamtest.NewServer(t)
	path, db := serveConfig(t, srv.URL)
	cfg, err := loadConfig(commonFlags{config: path})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Streams.Enabled = true
	cfg.Exchanges.OKX.Websocket.Public = ws.URL
	cfg.Schedule.Retention = "@every 1s"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, newEnv(nil, out, out, time.Now), cfg, serveExtras{ready: func(a string) { addr <- a }})
	}()
	url := <-addr
	push := func(c *streamtest.Conn, rate string) {
		now := time.Now()
		c.Send(fmt.Sprintf(`{"arg":{"channel":"funding-rate","instId":"BTC-USDT-SWAP"},"data":[{"fundingRate":%q,
"fundingTime":"%d","instId":"BTC-USDT-SWAP","instType":"SWAP","maxFundingRate":"0.015","minFundingRate":"-0.015",
"nextFundingTime":"%d","ts":"%d"}]}`, rate, now.Add(time.Hour).UnixMilli(), now.Add(9*time.Hour).UnixMilli(), now.Add(-2*time.Minute).UnixMilli()))
	}
	count := func(q string) int64 {
		st, err := store.OpenReadOnly(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		res, err := st.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return res.Rows[0][0].(int64)
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(serveWait)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within %s\n%s", what, serveWait, out.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	c := ws.Accept(t)
	c.Expect(t, "BTC-USDT-SWAP")
	push(c, "0.0002")
	waitFor("a stream sample in funding_history", func() bool {
		return count(`SELECT COUNT(*) FROM funding_history WHERE origin = 'stream'`) >= 1
	})
	waitFor("the stream up in /metrics", func() bool {
		return strings.Contains(get(t, url+"/metrics"), `rivalwatch_stream_up{exchange="okx",stream="funding-rate"} 1`)
	})
	if page := get(t, url+"/"); !strings.Contains(page, "funding-rate") || strings.Contains(page, "No live streams") {
		t.Errorf("the status page does not show the stream:\n%s", page)
	}
	c.Drop()
	c = ws.Accept(t)
	c.Expect(t, "BTC-USDT-SWAP")
	push(c, "0.0003")
	waitFor("the outage in stream_gaps", func() bool {
		return count(`SELECT COUNT(*) FROM stream_gaps WHERE exchange = 'okx'`) == 1
	})
	waitFor("a retention run in /metrics", func() bool {
		return strings.Contains(get(t, url+"/metrics"), `rivalwatch_job_runs_total{job="retention",result="ok"}`)
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
