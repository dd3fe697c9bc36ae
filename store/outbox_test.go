package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/diff"
)

const testLease = time.Minute

// alertChange is a fee event of one symbol; n makes its ID unique.
func alertChange(n int) diff.Change {
	sym := fmt.Sprintf("C%03dUSDT", n)
	return diff.Change{
		ID: diff.ChangeID("bybit", "fee.symbol", sym, "taker", "4.5 bps", int64(n)), Exchange: "bybit",
		Kind: "fees", Type: "fee.symbol", Symbol: sym, Unified: fmt.Sprintf("C%03d/USDT:USDT", n), Field: "taker",
		Old: "5.5 bps", New: "4.5 bps", Severity: diff.High, DetectedAt: t0, SnapshotTo: int64(n),
		Evidence: map[string]float64{"old_rate": 0.00055, "new_rate": 0.00045},
	}
}

func routeTo(webhooks ...string) func(diff.Change) []string {
	return func(diff.Change) []string { return webhooks }
}

func mustQueue(t *testing.T, s *Store, route func(diff.Change) []string, changes ...diff.Change) {
	t.Helper()
	if _, err := s.SaveChanges(context.Background(), changes, route); err != nil {
		t.Fatal(err)
	}
}

// lease leases the head of webhook's queue at now and returns its event ID,
// "" when nothing is due.
func lease(t *testing.T, s *Store, webhook string, now time.Time) Delivery {
	t.Helper()
	d, ok, err := s.LeaseDelivery(context.Background(), webhook, now, testLease)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return Delivery{}
	}
	return d
}

func TestLeaseKeepsEachWebhookInOrder(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	now := t0.Add(time.Hour) // the test store's clock
	a, b, c := alertChange(1), alertChange(2), alertChange(3)
	// One transaction: insertion order, not the ID hash, orders the queue.
	mustQueue(t, s, func(ch diff.Change) []string {
		if ch.ID == b.ID {
			return []string{"ops"}
		}
		return []string{"ops", "desk"}
	}, c, a, b)

	type step struct {
		name    string
		webhook string
		at      time.Time
		want    string // event ID leased, "" for none
		attempt int
		settle  func(d Delivery) error
	}
	retry := func(d Delivery) error { return s.MarkRetry(ctx, d, now.Add(5*time.Second), "HTTP 500") }
	delivered := func(d Delivery) error { return s.MarkDelivered(ctx, d, now) }
	steps := []step{
		{name: "head of ops", webhook: "ops", at: now, want: c.ID, attempt: 1},
		{name: "head leased: the next waits", webhook: "ops", at: now, want: ""},
		{name: "desk is not held up", webhook: "desk", at: now, want: c.ID, attempt: 1, settle: delivered},
		{name: "desk goes on", webhook: "desk", at: now, want: a.ID, attempt: 1, settle: delivered},
		{name: "desk is empty", webhook: "desk", at: now, want: ""},
		{name: "lease expired: sent again", webhook: "ops", at: now.Add(testLease), want: c.ID, attempt: 2, settle: retry},
		{name: "retry not due: the next waits", webhook: "ops", at: now.Add(5*time.Second - time.Millisecond), want: ""},
		{name: "retry due", webhook: "ops", at: now.Add(5 * time.Second), want: c.ID, attempt: 3, settle: delivered},
		{name: "then the rest in order", webhook: "ops", at: now.Add(5 * time.Second), want: a.ID, attempt: 1, settle: delivered},
		{name: "last", webhook: "ops", at: now.Add(5 * time.Second), want: b.ID, attempt: 1, settle: delivered},
		{name: "ops is empty", webhook: "ops", at: now.Add(time.Hour), want: ""},
	}
	for _, st := range steps {
		d := lease(t, s, st.webhook, st.at)
		if d.EventID != st.want || (st.want != "" && d.Attempt != st.attempt) {
			t.Fatalf("%s: leased %q attempt %d, want %q attempt %d", st.name, d.EventID, d.Attempt, st.want, st.attempt)
		}
		if st.settle != nil {
			if err := st.settle(d); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestLeaseCarriesTheEvent(t *testing.T) {
	s, _ := openTest(t)
	want := alertChange(7)
	mustQueue(t, s, routeTo("ops"), want)
	d := lease(t, s, "ops", t0.Add(time.Hour))
	if !reflect.DeepEqual(d.Change, want) {
		t.Errorf("leased change\n got %+v\nwant %+v", d.Change, want)
	}
	if d.Webhook != "ops" || d.Attempt != 1 || d.LastError != "" || !d.QueuedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("delivery %+v", d)
	}
	if err := s.MarkRetry(context.Background(), d, t0.Add(2*time.Hour), "HTTP 503: busy"); err != nil {
		t.Fatal(err)
	}
	if d := lease(t, s, "ops", t0.Add(2*time.Hour)); d.LastError != "HTTP 503: busy" || d.Attempt != 2 {
		t.Errorf("second attempt %+v", d)
	}
}

func TestSaveChangesQueuesAlertsOnlyForNewEvents(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	c := alertChange(1)
	for i, route := range []func(diff.Change) []string{routeTo("ops"), routeTo("ops", "desk")} {
		n, err := s.SaveChanges(ctx, []diff.Change{c}, route)
		if err != nil {
			t.Fatal(err)
		}
		if want := 1 - i; n != want {
			t.Errorf("run %d: %d new events, want %d", i, n, want)
		}
	}
	if rows := queryRows(t, s, `SELECT webhook FROM alerts`); !reflect.DeepEqual(rows, [][]any{{"ops"}}) {
		t.Errorf("a re-stored event queued again: %v", rows)
	}

	// One transaction: a bad change leaves neither events nor alerts.
	_, err := s.SaveChanges(ctx, []diff.Change{alertChange(2), {Exchange: "okx"}}, routeTo("ops"))
	if err == nil || !strings.Contains(err.Error(), "change has no ID") {
		t.Fatalf("error %v", err)
	}
	if rows := queryRows(t, s, `SELECT (SELECT COUNT(*) FROM changes), (SELECT COUNT(*) FROM alerts)`); !reflect.DeepEqual(rows, [][]any{{int64(1), int64(1)}}) {
		t.Errorf("after a failed queue: changes, alerts = %v, want 1, 1", rows)
	}
}

// TestSaveRunChangesQueuesAlerts: the detector's path stores a run's
// events, their alerts and the run's compared mark together, and a bad
// event leaves all three as they were.
func TestSaveRunChangesQueuesAlerts(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	run := mustSave(t, s, snapshot("bybit", collectors.KindFunding, 3, t0))
	other := mustSave(t, s, snapshot("okx", collectors.KindFunding, 3, t0))
	cross := alertChange(2)
	cross.Exchange, cross.Exchanges = "", []string{"bybit", "okx"}

	if _, err := s.SaveRunChanges(ctx, other.RunID, []diff.Change{alertChange(3), {Exchange: "okx"}}, routeTo("ops")); err == nil {
		t.Fatal("a change without ID must fail the whole run's save")
	}
	if rows := queryRows(t, s, `SELECT (SELECT COUNT(*) FROM changes), (SELECT COUNT(*) FROM alerts),
		(SELECT COUNT(*) FROM run_log WHERE diffed_at IS NOT NULL)`); !reflect.DeepEqual(rows, [][]any{{int64(0), int64(0), int64(0)}}) {
		t.Errorf("after a failed save: changes, alerts, compared runs = %v, want nothing", rows)
	}

	n, err := s.SaveRunChanges(ctx, run.RunID, []diff.Change{alertChange(1), cross}, routeTo("desk", "ops"))
	if err != nil || n != 2 {
		t.Fatalf("SaveRunChanges = %d, %v; want 2", n, err)
	}
	if rows := queryRows(t, s, `SELECT webhook, status, next_attempt_at FROM alerts ORDER BY webhook, id`); len(rows) != 4 ||
		!reflect.DeepEqual(rows[0], []any{"desk", "pending", "2026-11-25T10:00:00.000Z"}) {
		t.Errorf("alerts %v, want 4 pending, due at the store's clock", rows)
	}
	if rows := queryRows(t, s, `SELECT exchanges FROM changes WHERE id = ?`, cross.ID); !reflect.DeepEqual(rows, [][]any{{`["bybit","okx"]`}}) {
		t.Errorf("a cross-exchange event keeps its exchanges: %v", rows)
	}
	if runs, err := s.PendingRuns(ctx); err != nil || len(runs) != 1 || runs[0].RunID != other.RunID {
		t.Errorf("pending runs %+v (%v), want only run %d", runs, err, other.RunID)
	}
}

func TestSettledDeliveriesStaySettled(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	mustQueue(t, s, routeTo("ops"), alertChange(1))
	now := t0.Add(time.Hour)
	d := lease(t, s, "ops", now)
	// A sender whose lease ran out reports late, after another delivered.
	if err := s.MarkDelivered(ctx, d, now); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRetry(ctx, d, now.Add(time.Minute), "late"); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkFailed(ctx, d, "late"); err != nil {
		t.Fatal(err)
	}
	got := queryRows(t, s, `SELECT status, attempts, last_error, next_attempt_at, delivered_at FROM alerts`)
	want := [][]any{{"delivered", int64(1), nil, nil, "2026-11-25T10:00:00.000Z"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("alerts %v, want %v", got, want)
	}
}

func TestFailedAlertsListedAndRetried(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	a, b := alertChange(1), alertChange(2)
	mustQueue(t, s, routeTo("ops"), a, b)
	now := t0.Add(time.Hour)
	if err := s.MarkFailed(ctx, lease(t, s, "ops", now), "HTTP 400: invalid payload"); err != nil {
		t.Fatal(err)
	}
	// A failed alert no longer holds up the queue.
	if d := lease(t, s, "ops", now); d.EventID != b.ID {
		t.Fatalf("after a failure leased %q, want %q", d.EventID, b.ID)
	}
	failed, err := s.Alerts(ctx, AlertFailed)
	if err != nil {
		t.Fatal(err)
	}
	want := []Alert{{EventID: a.ID, Webhook: "ops", Status: AlertFailed, Attempts: 1, LastError: "HTTP 400: invalid payload",
		CreatedAt: now, Type: a.Type, Exchange: "bybit", Symbol: a.Symbol}}
	if !reflect.DeepEqual(failed, want) {
		t.Errorf("failed alerts\n got %+v\nwant %+v", failed, want)
	}
	all, err := s.Alerts(ctx, "")
	if err != nil || len(all) != 2 || all[1].Status != AlertPending || all[1].NextAttemptAt != now {
		t.Errorf("all alerts %+v, %v", all, err)
	}
	if _, err := s.Alerts(ctx, "sent"); err == nil || !strings.Contains(err.Error(), `unknown status "sent"`) {
		t.Errorf("bad status: %v", err)
	}

	if _, err := s.RetryAlerts(ctx, "0123456789abcdef"); err == nil || !strings.Contains(err.Error(), "no failed or pending alert") {
		t.Errorf("unknown id: %v", err)
	}
	if n, err := s.RetryFailedAlerts(ctx); err != nil || n != 1 {
		t.Fatalf("retry failed: %d, %v", n, err)
	}
	// Requeued in its original place, with a fresh schedule; b's lease holds.
	got := queryRows(t, s, `SELECT status, attempts, next_attempt_at, last_error FROM alerts WHERE id = ?`, a.ID)
	if want := [][]any{{"pending", int64(0), "2026-11-25T10:00:00.000Z", "HTTP 400: invalid payload"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("retried alert %v, want %v", got, want)
	}
	if d := lease(t, s, "ops", now.Add(testLease)); d.EventID != a.ID || d.Attempt != 1 {
		t.Errorf("after retry leased %q attempt %d, want %q first", d.EventID, d.Attempt, a.ID)
	}
}

func TestRetryAlertsMakesAWaitingAlertDue(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	c := alertChange(1)
	mustQueue(t, s, routeTo("ops", "desk"), c)
	now := t0.Add(time.Hour)
	for _, w := range []string{"ops", "desk"} {
		if err := s.MarkRetry(ctx, lease(t, s, w, now), now.Add(time.Hour), "HTTP 502"); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.RetryAlerts(ctx, c.ID); err != nil || n != 2 {
		t.Fatalf("retry: %d, %v", n, err)
	}
	if d := lease(t, s, "ops", now); d.EventID != c.ID {
		t.Errorf("retried alert not due now")
	}
}

func TestNextAttempt(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	now := t0.Add(time.Hour)
	if _, ok, err := s.NextAttempt(ctx, []string{"ops"}); ok || err != nil {
		t.Fatalf("empty outbox: ok %v, %v", ok, err)
	}
	mustQueue(t, s, routeTo("ops", "desk"), alertChange(1), alertChange(2))
	if err := s.MarkRetry(ctx, lease(t, s, "ops", now), now.Add(30*time.Second), "HTTP 500"); err != nil {
		t.Fatal(err)
	}
	lease(t, s, "desk", now) // leased until now + testLease
	for _, tc := range []struct {
		webhooks []string
		want     time.Time
	}{
		{[]string{"ops"}, now.Add(30 * time.Second)}, // the head's retry, not the due alert behind it
		{[]string{"desk"}, now.Add(testLease)},
		{[]string{"desk", "ops"}, now.Add(30 * time.Second)},
	} {
		got, ok, err := s.NextAttempt(ctx, tc.webhooks)
		if err != nil || !ok || !got.Equal(tc.want) {
			t.Errorf("%v: %v %v %v, want %v", tc.webhooks, got, ok, err, tc.want)
		}
	}
}

func TestAlertHealth(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	now := t0.Add(time.Hour)
	mustQueue(t, s, routeTo("ops"), alertChange(1), alertChange(2), alertChange(3))
	mustQueue(t, s, routeTo("desk"), alertChange(4))
	if err := s.MarkDelivered(ctx, lease(t, s, "ops", now), now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	refused := lease(t, s, "ops", now)
	if err := s.MarkFailed(ctx, refused, "HTTP 404"); err != nil {
		t.Fatal(err)
	}
	// The refused alert was queued earlier: the webhook fails since then.
	if _, err := s.w.ExecContext(ctx, `UPDATE alert_deliveries SET queued_at = ? WHERE event_id = ?`, timeValue(t0), refused.EventID); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRetry(ctx, lease(t, s, "ops", now), now.Add(time.Minute), "connection refused"); err != nil {
		t.Fatal(err)
	}
	got, err := s.AlertHealth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []AlertHealth{
		{Webhook: "desk", Pending: 1, OldestPending: now},
		{Webhook: "ops", Pending: 1, Retrying: 1, Failed: 1, Delivered: 1, OldestPending: now, LastError: "connection refused",
			FailingSince: t0, LastDelivered: now.Add(time.Minute)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("health\n got %+v\nwant %+v", got, want)
	}
}

// TestOneLeaseAcrossStores races two stores on one file for the head of a
// queue: exactly one of them may send it.
func TestOneLeaseAcrossStores(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t)
	other, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	mustQueue(t, s, routeTo("ops"), alertChange(1))
	var wg sync.WaitGroup
	var mu sync.Mutex
	leased := 0
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := []*Store{s, other}[i%2]
			_, ok, err := st.LeaseDelivery(ctx, "ops", t0.Add(time.Hour), testLease)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				leased++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if leased != 1 {
		t.Errorf("%d senders leased the same alert, want 1", leased)
	}
}

// TestAlertsView pins the public view's columns: they may only be added to.
func TestAlertsView(t *testing.T) {
	s, _ := openTest(t)
	res, err := s.Query(context.Background(), `SELECT name FROM pragma_table_info('alerts') ORDER BY cid`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.Rows {
		got = append(got, r[0].(string))
	}
	want := []string{"id", "webhook", "status", "attempts", "last_error", "next_attempt_at", "delivered_at",
		"created_at", "type", "exchange", "symbol"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("alerts columns %v, want %v", got, want)
	}
}
