package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/diff"
	"github.com/rivalwatch/rivalwatch/store"
)

// openOutbox opens a store on a temporary file with the fake clock.
func openOutbox(t *testing.T, c *clock) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rivalwatch.db")
	st, err := store.Open(context.Background(), path, store.Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

// feeEvents are n distinct fee events, in the order diff would give them.
func feeEvents(n int) []diff.Change {
	out := make([]diff.Change, n)
	for i := range out {
		c := feeCut()
		c.Symbol = fmt.Sprintf("VIP%d", i)
		c.ID = diff.ChangeID(c.Exchange, c.Type, c.Symbol, c.Field, c.New, int64(i))
		out[i] = c
	}
	return out
}

func ids(cs []diff.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func queue(t *testing.T, st *store.Store, s *Sender, changes []diff.Change) {
	t.Helper()
	if _, err := st.SaveChanges(context.Background(), changes, s.Route); err != nil {
		t.Fatal(err)
	}
}

func newSender(st *store.Store, c *clock, hooks ...Hook) *Sender {
	s := &Sender{Outbox: st, Hooks: map[string]Hook{}, Client: NewClient(200 * time.Millisecond),
		Now: c.Now, Sleep: c.Sleep, Rand: func() float64 { return 0.5 }}
	for _, h := range hooks {
		h.Secret = testSecret
		s.Hooks[h.Name] = h
	}
	return s
}

// untilSettled runs SendDue, moving the clock to each retry, until nothing
// is pending; it returns the waits between attempts.
func untilSettled(t *testing.T, st *store.Store, s *Sender, c *clock) (waits []time.Duration, total Report) {
	t.Helper()
	for range 50 {
		r, err := s.SendDue(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		total.add(r)
		next, ok, err := st.NextAttempt(context.Background(), s.names())
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return waits, total
		}
		waits = append(waits, next.Sub(c.Now()))
		c.Set(next)
	}
	t.Fatal("still pending after 50 rounds")
	return nil, total
}

// TestRetrySchedule drives one alert through receivers that fail in each
// way, with an instant clock: which answers are retried, how long each
// wait is, and what an operator sees afterwards.
func TestRetrySchedule(t *testing.T) {
	fail := func(times int, status int, header ...string) func(int, http.ResponseWriter, *http.Request) {
		return func(n int, w http.ResponseWriter, r *http.Request) {
			if n < times {
				if len(header) == 2 {
					w.Header().Set(header[0], header[1])
				}
				http.Error(w, "busy", status)
			}
		}
	}
	for _, tc := range []struct {
		name     string
		respond  func(int, http.ResponseWriter, *http.Request)
		giveUp   time.Duration
		waits    []time.Duration
		status   string
		attempts int
		lastErr  string
		report   Report
	}{
		{name: "500s then 200", respond: fail(3, 500),
			waits:  []time.Duration{3 * time.Second, 6 * time.Second, 12 * time.Second},
			status: store.AlertDelivered, attempts: 4, lastErr: "HTTP 500: busy", report: Report{Delivered: 1, Retried: 3}},
		{name: "backoff capped at max_backoff", respond: fail(6, 502),
			waits:  []time.Duration{3 * time.Second, 6 * time.Second, 12 * time.Second, 24 * time.Second, 48 * time.Second, time.Minute},
			status: store.AlertDelivered, attempts: 7, lastErr: "HTTP 502: busy", report: Report{Delivered: 1, Retried: 6}},
		{name: "429 waits out Retry-After", respond: fail(1, 429, "Retry-After", "90"),
			waits:  []time.Duration{90 * time.Second},
			status: store.AlertDelivered, attempts: 2, lastErr: "HTTP 429: busy, retry after 1m30s", report: Report{Delivered: 1, Retried: 1}},
		{name: "slow receiver: timeout, retried", respond: func(n int, w http.ResponseWriter, r *http.Request) {
			if n == 0 {
				blockUntilGone(w, r)
			}
		}, waits: []time.Duration{3 * time.Second},
			status: store.AlertDelivered, attempts: 2, lastErr: "no answer within 200ms", report: Report{Delivered: 1, Retried: 1}},
		{name: "connection dropped, retried", respond: func(n int, w http.ResponseWriter, r *http.Request) {
			if n == 0 {
				conn, _, _ := w.(*statusWriter).ResponseWriter.(http.Hijacker).Hijack()
				conn.Close()
			}
		}, waits: []time.Duration{3 * time.Second},
			status: store.AlertDelivered, attempts: 2, lastErr: "the connection closed before an answer", report: Report{Delivered: 1, Retried: 1}},
		{name: "400 is permanent", respond: fail(1, 400),
			status: store.AlertFailed, attempts: 1, lastErr: "HTTP 400: busy", report: Report{Failed: 1}},
		{name: "redirect is permanent", respond: func(n int, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		}, status: store.AlertFailed, attempts: 1,
			lastErr: "HTTP 302: the webhook redirects elsewhere; redirects are not followed, so fix its url", report: Report{Failed: 1}},
		{name: "gives up after give_up_after", respond: fail(100, 503), giveUp: time.Minute,
			waits:  []time.Duration{3 * time.Second, 6 * time.Second, 12 * time.Second, 24 * time.Second},
			status: store.AlertFailed, attempts: 5, lastErr: "gave up after 5 attempts over 1m: HTTP 503: busy", report: Report{Retried: 4, Failed: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{t: t0}
			st, _ := openOutbox(t, c)
			rc := newReceiver(t, tc.respond)
			s := newSender(st, c, Hook{Name: "ops", URL: rc.srv.URL})
			s.GiveUpAfter = tc.giveUp
			events := feeEvents(1)
			queue(t, st, s, events)
			waits, report := untilSettled(t, st, s, c)
			if !reflect.DeepEqual(waits, tc.waits) {
				t.Errorf("waits %v, want %v", waits, tc.waits)
			}
			if report != tc.report {
				t.Errorf("report %+v, want %+v", report, tc.report)
			}
			alerts, err := st.Alerts(context.Background(), tc.status)
			if err != nil {
				t.Fatal(err)
			}
			if len(alerts) != 1 || alerts[0].EventID != events[0].ID || alerts[0].Attempts != tc.attempts || alerts[0].LastError != tc.lastErr {
				t.Errorf("%s alerts %+v, want one with %d attempts and error %q", tc.status, alerts, tc.attempts, tc.lastErr)
			}
			reqs := rc.requests()
			if len(reqs) != tc.attempts {
				t.Errorf("receiver got %d requests, want %d", len(reqs), tc.attempts)
			}
			// Each attempt signed afresh: its own, later timestamp.
			for i := 1; i < len(reqs); i++ {
				if reqs[i].Timestamp <= reqs[i-1].Timestamp {
					t.Errorf("attempt %d timestamp %s, after %s", i+1, reqs[i].Timestamp, reqs[i-1].Timestamp)
				}
			}
		})
	}
}

// TestReceiverDownThenUp: nothing listens for the first attempts, then the
// receiver starts; every alert arrives, once, in order.
func TestReceiverDownThenUp(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := &clock{t: t0}
	st, _ := openOutbox(t, c)
	s := newSender(st, c, Hook{Name: "ops", URL: "http://" + addr + "/hook"})
	events := feeEvents(5)
	queue(t, st, s, events)

	const down = 4
	for i := range down {
		r, err := s.SendDue(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if r != (Report{Retried: 1}) {
			t.Fatalf("attempt %d while down: %+v", i+1, r)
		}
		next, _, _ := st.NextAttempt(context.Background(), []string{"ops"})
		c.Set(next)
	}
	if alerts, _ := st.Alerts(context.Background(), store.AlertPending); alerts[0].LastError != "connection refused" {
		t.Errorf("while down: %+v", alerts[0])
	}

	l, err = net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("bring the receiver up on %s: %v", addr, err)
	}
	rc := &receiver{t: t, secret: testSecret, got: make(chan request, 100)}
	rc.srv = httptest.NewUnstartedServer(http.HandlerFunc(rc.serve))
	rc.srv.Listener.Close()
	rc.srv.Listener = l
	rc.srv.Start()
	defer rc.srv.Close()

	_, report := untilSettled(t, st, s, c)
	if report != (Report{Delivered: 5}) {
		t.Errorf("after the receiver came up: %+v", report)
	}
	if got := rc.delivered(); !reflect.DeepEqual(got, ids(events)) {
		t.Errorf("received %v, want every alert once in order %v", got, ids(events))
	}
}

// TestOrderPerWebhook: a webhook's later alerts wait while its first is
// retried; another webhook gets all of its alerts meanwhile.
func TestOrderPerWebhook(t *testing.T) {
	c := &clock{t: t0}
	st, _ := openOutbox(t, c)
	flaky := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n < 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	healthy := newReceiver(t, nil)
	s := newSender(st, c, Hook{Name: "flaky", URL: flaky.srv.URL}, Hook{Name: "healthy", URL: healthy.srv.URL, Format: Slack})
	events := feeEvents(3)
	queue(t, st, s, events)

	first, err := s.SendDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if first != (Report{Delivered: 3, Retried: 1}) {
		t.Errorf("first run %+v, want the healthy webhook's 3 delivered and the flaky one's first retried", first)
	}
	if got := flaky.requests(); len(got) != 1 {
		t.Errorf("the flaky webhook got %d requests before its first alert went through, want 1", len(got))
	}
	untilSettled(t, st, s, c)
	want := ids(events)
	var arrived []string
	for _, r := range flaky.requests() {
		arrived = append(arrived, r.ID)
	}
	if wantArrived := append([]string{want[0], want[0]}, want...); !reflect.DeepEqual(arrived, wantArrived) {
		t.Errorf("flaky webhook got %v, want %v", arrived, wantArrived)
	}
	for name, rc := range map[string]*receiver{"flaky": flaky, "healthy": healthy} {
		if got := rc.delivered(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s delivered %v, want %v", name, got, want)
		}
	}
}

// TestSlowWebhookHoldsUpOnlyItself: one receiver hangs; another gets its
// alerts while the first is still waiting.
func TestSlowWebhookHoldsUpOnlyItself(t *testing.T) {
	c := &clock{t: t0}
	st, _ := openOutbox(t, c)
	release := make(chan struct{})
	arrived := make(chan struct{}, 8)
	stuck := newReceiver(t, func(int, http.ResponseWriter, *http.Request) { arrived <- struct{}{}; <-release })
	quick := newReceiver(t, nil)
	s := newSender(st, c, Hook{Name: "stuck", URL: stuck.srv.URL}, Hook{Name: "quick", URL: quick.srv.URL})
	s.Client = NewClient(time.Minute)
	queue(t, st, s, feeEvents(3))

	done := make(chan Report)
	go func() {
		r, err := s.SendDue(context.Background())
		if err != nil {
			t.Error(err)
		}
		done <- r
	}()
	for range 3 {
		quick.wait()
	}
	// The stuck webhook's first request may reach its server after the
	// quick one's three: wait for it, then check no second one followed.
	select {
	case <-arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the stuck webhook's first request never arrived")
	}
	if n := len(stuck.requests()); n != 1 {
		t.Errorf("stuck webhook has %d requests, want its first only", n)
	}
	close(release)
	if r := <-done; r != (Report{Delivered: 6}) {
		t.Errorf("report %+v", r)
	}
}

// TestRunDeliversOnNotify: the daemon's loop sends an alert as soon as it
// is told one was committed, long before its next poll.
func TestRunDeliversOnNotify(t *testing.T) {
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "x.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rc := newReceiver(t, nil)
	s := &Sender{Outbox: st, Hooks: map[string]Hook{"ops": {URL: rc.srv.URL, Secret: testSecret}}, Poll: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		s.Run(ctx)
	}()
	for i, c := range feeEvents(2) {
		queue(t, st, s, []diff.Change{c})
		s.Notify()
		if got := rc.wait(); got.ID != c.ID || got.Status != 200 {
			t.Errorf("alert %d: got %+v, want %s", i, got, c.ID)
		}
	}
	cancel()
	<-stopped
}

// TestRunRetries: the loop sleeps until a retry is due and sends it.
func TestRunRetries(t *testing.T) {
	c := &clock{t: t0}
	st, _ := openOutbox(t, c)
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 0 {
			w.WriteHeader(500)
		}
	})
	s := newSender(st, c, Hook{Name: "ops", URL: rc.srv.URL})
	queue(t, st, s, feeEvents(1))
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		s.Run(ctx)
	}()
	if r := rc.wait(); r.Status != 500 {
		t.Errorf("first attempt answered %d", r.Status)
	}
	if r := rc.wait(); r.Status != 200 {
		t.Errorf("retry answered %d", r.Status)
	}
	cancel()
	<-stopped
}

func TestTestMessage(t *testing.T) {
	c := &clock{t: t0}
	st, _ := openOutbox(t, c)
	ok := newReceiver(t, nil)
	gone := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) { http.Error(w, "no_service", 404) })
	s := newSender(st, c, Hook{Name: "ops", URL: ok.srv.URL, Format: Slack}, Hook{Name: "old", URL: gone.srv.URL})
	if err := s.Test(context.Background(), "ops"); err != nil {
		t.Fatal(err)
	}
	var msg struct{ Text string }
	if err := json.Unmarshal(ok.wait().Body, &msg); err != nil || msg.Text != "rivalwatch test message: alerts for webhook ops will arrive here" {
		t.Errorf("test message %+v, %v", msg, err)
	}
	for name, want := range map[string]string{
		"old":  "test message to webhook old: HTTP 404: no_service",
		"nope": `test webhook: no webhook named "nope" in the config`,
	} {
		if err := s.Test(context.Background(), name); err == nil || err.Error() != want {
			t.Errorf("Test(%s) = %v, want %q", name, err, want)
		}
	}
}

// TestCredentialsStayOut: the secret and the URL's token never reach the
// logs, the errors or the database, even from a receiver echoing them.
func TestCredentialsStayOut(t *testing.T) {
	c := &clock{t: t0}
	st, path := openOutbox(t, c)
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		status := http.StatusBadGateway
		if n > 0 {
			status = http.StatusBadRequest
		}
		http.Error(w, fmt.Sprintf("echo %s %s %s", r.URL, testSecret, r.Header), status)
	})
	var logs bytes.Buffer
	s := newSender(st, c, Hook{Name: "ops", URL: rc.srv.URL + "/hooks/T0KEN-in-url"})
	s.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	queue(t, st, s, feeEvents(1))
	_, report := untilSettled(t, st, s, c)
	if report != (Report{Retried: 1, Failed: 1}) {
		t.Fatalf("report %+v", report)
	}
	testErr := s.Test(context.Background(), "ops")
	if testErr == nil {
		t.Fatal("test message delivered")
	}
	st.Close()
	texts := map[string]string{"logs": logs.String(), "test error": testErr.Error()}
	files, _ := filepath.Glob(path + "*")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts[filepath.Base(f)] = string(b)
	}
	if !strings.Contains(logs.String(), "HTTP 400: echo [redacted] [redacted]") {
		t.Errorf("the failure is not logged:\n%s", logs.String())
	}
	for where, text := range texts {
		for _, secret := range []string{testSecret, "T0KEN-in-url"} {
			if strings.Contains(text, secret) {
				t.Errorf("%s holds %q", where, secret)
			}
		}
	}
}
