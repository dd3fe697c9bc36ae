package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors/exchangetest"
	"github.com/rivalwatch/rivalwatch/diff"
	"github.com/rivalwatch/rivalwatch/store"
)

// The webhook secret of these tests: it must never show up in any output,
// error or database file.
const (
	secretEnv   = "RIVALWATCH_TEST_WEBHOOK_SECRET"
	secretValue = "whsec-cli-TEST-ONLY-5b1e"
)

// hook is a local webhook receiver. It checks every request the way the
// README tells a receiver to (signature over "<timestamp>.<raw body>",
// timestamp within 5 minutes of its clock), then answers with respond.
type hook struct {
	t       *testing.T
	srv     *httptest.Server
	now     func() time.Time
	respond func(w http.ResponseWriter, r *http.Request)

	mu  sync.Mutex
	got []hookRequest
}

type hookRequest struct {
	id   string
	body map[string]any
}

func newHook(t *testing.T, now func() time.Time) *hook {
	h := &hook{t: t, now: now}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) serve(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	if err := verifyWebhook(r.Header, raw, secretValue, h.now()); err != nil {
		h.t.Errorf("receiver: %v", err)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		h.t.Errorf("receiver: body is not JSON: %v", err)
	}
	h.mu.Lock()
	h.got = append(h.got, hookRequest{id: r.Header.Get("X-Rivalwatch-Event-Id"), body: body})
	respond := h.respond
	h.mu.Unlock()
	if respond != nil {
		respond(w, r)
	}
}

func (h *hook) setRespond(f func(w http.ResponseWriter, r *http.Request)) {
	h.mu.Lock()
	h.respond = f
	h.mu.Unlock()
}

func (h *hook) requests() []hookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookRequest(nil), h.got...)
}

// verifyWebhook is the README's receiver check, written independently of
// the sender.
func verifyWebhook(header http.Header, body []byte, secret string, now time.Time) error {
	ts := header.Get("X-Rivalwatch-Timestamp")
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("timestamp %q", ts)
	}
	if d := now.Sub(time.Unix(unix, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return fmt.Errorf("timestamp %s is %s from now", ts, d)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); !hmac.Equal([]byte(header.Get("X-Rivalwatch-Signature")), []byte(want)) {
		return fmt.Errorf("signature %q, want %q", header.Get("X-Rivalwatch-Signature"), want)
	}
	if header.Get("X-Rivalwatch-Event-Id") == "" {
		return fmt.Errorf("no event id header")
	}
	return nil
}

// alertsConfig is the alerts section of a test config: one webhook per
// name=url pair, default types, signed with the test secret.
func alertsConfig(sendTimeout string, hooks ...string) string {
	s := "alerts:\n  send_timeout: " + sendTimeout + "\n  webhooks:\n"
	for _, h := range hooks {
		name, url, _ := strings.Cut(h, "=")
		s += fmt.Sprintf("    - {name: %s, url: %q, secret_env: %s}\n", name, url, secretEnv)
	}
	return s
}

// feeChange is a fee event as the fees kind will store it, found in
// snapshot snap.
func feeChange(at time.Time, snap int64) diff.Change {
	return diff.Change{
		ID: diff.ChangeID("bybit", "fee.tier", "VIP0", "taker", "4.5 bps", snap), Exchange: "bybit", Kind: "fees",
		Type: "fee.tier", Symbol: "VIP0", Field: "taker", Old: "5.5 bps", New: "4.5 bps", Severity: diff.High,
		DetectedAt: at, SnapshotTo: snap, Evidence: map[string]float64{"old_rate": 0.00055, "new_rate": 0.00045},
	}
}

// commitEvents stores changes through the store's change-saving path with
// the route the CLI builds from the config, as the detector does.
func commitEvents(t *testing.T, cfgPath string, at time.Time, changes ...diff.Change) {
	t.Helper()
	cfg, err := loadConfig(commonFlags{config: cfgPath})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, cfg.Database, store.Options{Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.SaveChanges(ctx, changes, route(cfg.Alerts)); err != nil {
		t.Fatal(err)
	}
}

// listAlerts returns `alerts list --format json`.
func listAlerts(t *testing.T, cfg string, status string) []map[string]any {
	t.Helper()
	var rows []map[string]any
	out := mustRW(t, "alerts", "list", "--config", cfg, "--format", "json", "--status", status)
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("alerts list json: %v\n%s", err, out)
	}
	return rows
}

// refusedURL is an address nobody listens on: a receiver that is down.
func refusedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/hook"
}

// assertNoSecret fails if the secret is in any output or any file of dir
// (the database and its WAL included).
func assertNoSecret(t *testing.T, dir string, outputs ...string) {
	t.Helper()
	for _, out := range outputs {
		if strings.Contains(out, secretValue) {
			t.Errorf("the webhook secret leaked into output:\n%s", out)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err == nil && strings.Contains(string(b), secretValue) {
			t.Errorf("the webhook secret is stored in %s", e.Name())
		}
	}
}

// TestAlertsDownThenUp: an event committed is pending; with the receiver
// down, a send leaves it pending with the error and a retry time; once the
// receiver is up, the next send delivers it, signed, with the json body.
func TestAlertsDownThenUp(t *testing.T) {
	t.Setenv(secretEnv, secretValue)
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	fixClock(t, at)
	rcv := newHook(t, func() time.Time { return at })
	dir := t.TempDir()
	down := refusedURL(t)
	cfg := writeConfig(t, dir, "http://127.0.0.1:1", alertsConfig("5s", "ops="+down))
	fee := feeChange(at, 7)
	listing := diff.Change{ID: diff.ChangeID("okx", diff.ListingNew, "ZORA-USDT-SWAP", "", "trading", 7), Exchange: "okx",
		Kind: "instruments", Type: diff.ListingNew, Symbol: "ZORA-USDT-SWAP", New: "trading", Severity: diff.Medium, DetectedAt: at}
	commitEvents(t, cfg, at, fee, listing)

	list := mustRW(t, "alerts", "list", "--config", cfg)
	for _, want := range []string{fee.ID, "ops", "pending", "2026-11-25 09:00:00 UTC", "fee.tier bybit VIP0", "(1 alerts)"} {
		if !strings.Contains(list, want) {
			t.Errorf("alerts list lacks %q (the listing is not a fee event and has no alert):\n%s", want, list)
		}
	}

	sent := mustRW(t, "alerts", "send", "--config", cfg)
	if !strings.Contains(sent, "0 delivered, 1 to retry, 0 failed; 1 waiting") || !strings.Contains(sent, "webhook ops failing since 2026-11-25 09:00:00 UTC") {
		t.Errorf("send with the receiver down:\n%s", sent)
	}
	rows := listAlerts(t, cfg, "pending")
	if len(rows) != 1 || rows[0]["id"] != fee.ID || rows[0]["attempts"] != 1.0 || rows[0]["last_error"] != "connection refused" {
		t.Fatalf("pending after a refused attempt: %v", rows)
	}
	next, err := time.Parse(time.RFC3339, rows[0]["next_attempt_at"].(string))
	if wait := next.Sub(at); err != nil || wait < time.Second || wait > 5*time.Second {
		t.Errorf("next attempt %v (%v): want 1–5 s after the first", rows[0]["next_attempt_at"], err)
	}
	if again := mustRW(t, "alerts", "send", "--config", cfg); !strings.Contains(again, "0 delivered, 0 to retry") {
		t.Errorf("a send before the retry is due must not try: %s", again)
	}

	// The receiver is back (at its new address) and the retry is due.
	replaceInFile(t, cfg, down, rcv.srv.URL)
	at = at.Add(time.Minute)
	fixClock(t, at)
	sent2 := mustRW(t, "alerts", "send", "--config", cfg)
	if !strings.Contains(sent2, "1 delivered, 0 to retry, 0 failed; 0 waiting") {
		t.Errorf("send with the receiver up:\n%s", sent2)
	}
	got := rcv.requests()
	if len(got) != 1 || got[0].id != fee.ID {
		t.Fatalf("receiver got %+v, want the fee event once", got)
	}
	b := got[0].body
	for k, want := range map[string]any{"id": fee.ID, "type": "fee.tier", "exchange": "bybit", "symbol": "VIP0",
		"field": "taker", "old": "5.5 bps", "new": "4.5 bps", "severity": "high", "detected_at": "2026-11-25T09:00:00.000Z",
		"unified": ""} {
		if b[k] != want {
			t.Errorf("body %s = %v, want %v", k, b[k], want)
		}
	}
	if ev, _ := b["evidence"].(map[string]any); ev["new_rate"] != 0.00045 || !strings.Contains(b["summary"].(string), "5.5 bps → 4.5 bps") {
		t.Errorf("body evidence/summary: %v", b)
	}
	delivered := listAlerts(t, cfg, "delivered")
	if len(delivered) != 1 || delivered[0]["delivered_at"] != "2026-11-25T09:01:00Z" || delivered[0]["attempts"] != 2.0 {
		t.Errorf("delivered: %v", delivered)
	}
	if again := mustRW(t, "alerts", "send", "--config", cfg); !strings.Contains(again, "0 delivered") || len(rcv.requests()) != 1 {
		t.Errorf("a delivered alert is never sent again: %s", again)
	}
	assertNoSecret(t, dir, list, sent, sent2)
}

// TestAlertsPermanentFailure: a 400 is not retried; it is shown, alerts
// send exits 1, and retry --failed requeues it for the next send.
func TestAlertsPermanentFailure(t *testing.T) {
	t.Setenv(secretEnv, secretValue)
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	fixClock(t, at)
	rcv := newHook(t, func() time.Time { return at })
	rcv.setRespond(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "unknown field 'evidence'", http.StatusBadRequest)
	})
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "http://127.0.0.1:1", alertsConfig("5s", "ops="+rcv.srv.URL))
	fee := feeChange(at, 7)
	commitEvents(t, cfg, at, fee)

	out, err := rw(t, "alerts", "send", "--config", cfg)
	if err == nil || !strings.Contains(err.Error(), "1 alert(s) failed for good") {
		t.Fatalf("alerts send after a 400: %v\n%s", err, out)
	}
	list := mustRW(t, "alerts", "list", "--config", cfg, "--status", "failed")
	for _, want := range []string{fee.ID, "failed", "HTTP 400: unknown field 'evidence'", "(1 alerts)"} {
		if !strings.Contains(list, want) {
			t.Errorf("failed list lacks %q:\n%s", want, list)
		}
	}
	digest := mustRW(t, "report", "--config", cfg, "--format", "md", "--out", "-")
	for _, want := range []string{
		"> **Alerts not delivered:** webhook ops has not received 1 alert(s) since 2026-11-25 09:00 UTC (0 min ago): given up; last error: HTTP 400: unknown field 'evidence'",
		"| webhook | ops alerts | never delivered **FAILING** | 1 | HTTP 400: unknown field 'evidence' |",
	} {
		if !strings.Contains(digest, want) {
			t.Errorf("digest lacks %q:\n%s", want, digest)
		}
	}
	if again, err := rw(t, "alerts", "send", "--config", cfg); err != nil || len(rcv.requests()) != 1 {
		t.Errorf("a failed alert waits for an operator: %v, %d requests\n%s", err, len(rcv.requests()), again)
	}

	rcv.setRespond(nil) // fixed: 200
	if out := mustRW(t, "alerts", "retry", "--config", cfg, "--failed"); !strings.Contains(out, "1 alert(s) requeued") {
		t.Errorf("retry --failed: %s", out)
	}
	if rows := listAlerts(t, cfg, "pending"); len(rows) != 1 || rows[0]["attempts"] != 0.0 {
		t.Errorf("requeued: %v", rows)
	}
	mustRW(t, "alerts", "send", "--config", cfg)
	if rows := listAlerts(t, cfg, "delivered"); len(rows) != 1 || len(rcv.requests()) != 2 {
		t.Errorf("delivered after the retry: %v, %d requests", rows, len(rcv.requests()))
	}
	if _, err := rw(t, "alerts", "retry", "--config", cfg, fee.ID); err == nil || !strings.Contains(err.Error(), "no failed or pending alert") {
		t.Errorf("retrying a delivered alert: %v", err)
	}
	for _, args := range [][]string{{"alerts"}, {"alerts", "resend"}, {"alerts", "retry", "--config", cfg},
		{"alerts", "list", "--config", cfg, "--status", "lost"}, {"alerts", "test", "--config", cfg}} {
		if _, err := rw(t, args...); err == nil || !strings.Contains(err.Error(), "usage") {
			t.Errorf("%v: want a usage error, got %v", args, err)
		}
	}
	assertNoSecret(t, dir, out, list)
}

// TestAlertsTest sends a signed test message to one webhook; an unknown
// name or a missing secret is a clear error that never shows a secret.
func TestAlertsTest(t *testing.T) {
	t.Setenv(secretEnv, secretValue)
	rcv := newHook(t, time.Now)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "http://127.0.0.1:1", alertsConfig("5s", "ops="+rcv.srv.URL))
	out := mustRW(t, "alerts", "test", "--config", cfg, "ops")
	got := rcv.requests()
	if !strings.Contains(out, "Test message delivered to webhook ops") || len(got) != 1 || got[0].body["type"] != "test" ||
		!strings.Contains(got[0].body["summary"].(string), "test message") {
		t.Errorf("alerts test: %s\n%+v", out, got)
	}
	if _, err := rw(t, "alerts", "test", "--config", cfg, "desk"); err == nil || !strings.Contains(err.Error(), `no webhook named "desk"`) {
		t.Errorf("unknown webhook: %v", err)
	}
	bare := writeConfig(t, t.TempDir(), "http://127.0.0.1:1", "")
	commitEvents(t, bare, time.Now(), feeChange(time.Now(), 7))
	if _, err := rw(t, "alerts", "send", "--config", bare); err == nil || !strings.Contains(err.Error(), "the config lists no webhook") {
		t.Errorf("alerts send without webhooks: %v", err)
	}
	t.Setenv(secretEnv, "")
	_, err := rw(t, "alerts", "test", "--config", cfg, "ops")
	if err == nil || !strings.Contains(err.Error(), "environment variable "+secretEnv+" is not set") {
		t.Errorf("missing secret: %v", err)
	}
	if help := mustRW(t, "help", "alerts"); !strings.Contains(help, "alerts retry ID|--failed") {
		t.Errorf("help alerts: %s", help)
	}
}

// TestCollectSendsAlerts: collect delivers after its sweep, within
// alerts.send_timeout: a fee event committed before, and a new listing the
// sweep itself detects for a webhook that asks for listings. A receiver
// that does not answer holds collect no longer than send_timeout, leaves
// the alert pending, and does not change collect's exit status.
func TestCollectSendsAlerts(t *testing.T) {
	t.Setenv(secretEnv, secretValue)
	world := exchangetest.Generate(4, time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC), 12, 10, 8)
	full := world.OKX
	world.OKX = full[:len(full)-1]
	srv := httptest.NewServer(exchangetest.Handler(world, exchangetest.Options{}))
	defer srv.Close()
	rcv := newHook(t, time.Now)
	dir := t.TempDir()
	alerts := alertsConfig("10s", "ops="+rcv.srv.URL) +
		fmt.Sprintf("    - {name: listings, url: %q, secret_env: %s, types: [listing.new]}\n", rcv.srv.URL, secretEnv)
	cfg := writeConfig(t, dir, srv.URL, alerts)
	mustRW(t, "collect", "--config", cfg, "--kind", "instruments")
	fee := feeChange(time.Now(), 7)
	commitEvents(t, cfg, time.Now(), fee)

	world.OKX = full // a new OKX listing
	out := mustRW(t, "collect", "--config", cfg, "--kind", "instruments")
	if !strings.Contains(out, "1 new change events") || !strings.Contains(out, "Alerts: 2 delivered, 0 to retry, 0 failed; 0 waiting") {
		t.Errorf("collect:\n%s", out)
	}
	byHook := map[string]string{}
	for _, r := range rcv.requests() {
		byHook[r.body["type"].(string)] = r.id
	}
	if byHook["fee.tier"] != fee.ID || byHook["listing.new"] == "" || len(byHook) != 2 {
		t.Errorf("receiver got %v", byHook)
	}

	// A receiver that never answers: collect gives up after send_timeout.
	stuck := make(chan struct{})
	rcv.setRespond(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stuck:
		}
	})
	defer close(stuck)
	replaceInFile(t, cfg, "send_timeout: 10s", "send_timeout: 200ms")
	commitEvents(t, cfg, time.Now(), feeChange(time.Now(), 8))
	out, err := rw(t, "collect", "--config", cfg, "--kind", "instruments")
	if err != nil || !strings.Contains(out, "Alerts: 0 delivered, 0 to retry, 0 failed; 1 waiting") {
		t.Errorf("collect with a stuck receiver: %v\n%s", err, out)
	}
	rows := listAlerts(t, cfg, "pending")
	if len(rows) != 1 || rows[0]["last_error"] != "not sent: the run ended first" {
		t.Errorf("the cut-off alert stays pending, due again at once: %v", rows)
	}
	assertNoSecret(t, dir, out)
}

// TestCopiedDatabaseKeepsAlerts: the outbox's state is times in the
// database, so a copy taken while an alert was being sent (its sender
// then killed) delivers it from the copy once the lease runs out, and a
// pending alert is simply sent by whoever opens the copy.
func TestCopiedDatabaseKeepsAlerts(t *testing.T) {
	t.Setenv(secretEnv, secretValue)
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	rcv := newHook(t, func() time.Time { return at })
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "http://127.0.0.1:1", alertsConfig("5s", "ops="+rcv.srv.URL))
	leased, waiting := feeChange(at, 7), feeChange(at, 8)
	commitEvents(t, cfg, at, leased, waiting)
	// A sender took the first alert and died before an answer.
	st, err := store.Open(context.Background(), filepath.Join(dir, "rw.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := st.LeaseDelivery(context.Background(), "ops", at, 2*time.Minute); !ok || err != nil {
		t.Fatalf("lease: %v %v", ok, err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	copyDir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(dir, "rw.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(copyDir, "copy.db"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	copied := filepath.Join(copyDir, "copy.db")

	fixClock(t, at.Add(time.Minute))
	if out := mustRW(t, "alerts", "send", "--config", cfg, "--db", copied); !strings.Contains(out, "0 delivered") || len(rcv.requests()) != 0 {
		t.Errorf("within the lease, the head of the queue waits and nothing overtakes it: %s", out)
	}
	fixClock(t, at.Add(3*time.Minute))
	if out := mustRW(t, "alerts", "send", "--config", cfg, "--db", copied); !strings.Contains(out, "2 delivered") {
		t.Errorf("after the lease, the copy delivers both: %s", out)
	}
	got := rcv.requests()
	if len(got) != 2 || got[0].id != leased.ID || got[1].id != waiting.ID {
		t.Errorf("receiver got %+v, want both alerts in order", got)
	}
}
