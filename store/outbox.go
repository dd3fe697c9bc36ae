package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rivalwatch/rivalwatch/diff"
)

// Delivery statuses, as stored and shown by the alerts view.
const (
	AlertPending   = "pending"
	AlertDelivered = "delivered"
	AlertFailed    = "failed"
)

// Delivery is one alert leased to a sender: the event to send to one
// webhook, and what happened to the attempts before this one.
type Delivery struct {
	EventID   string
	Webhook   string
	Attempt   int    // this attempt's number, 1 for the first
	LastError string // why the previous attempt failed; "" for the first
	// QueuedAt starts the give-up clock: when the event was queued, or when
	// an operator last asked for a retry.
	QueuedAt time.Time
	Change   diff.Change
}

// insertAlerts queues one pending delivery of an event per webhook, due at
// once. It runs inside the transaction that stores the event, so the alert
// exists exactly when the event does.
func insertAlerts(ctx context.Context, tx *sql.Tx, changeID string, webhooks []string, now time.Time) error {
	at := timeValue(now)
	for _, w := range webhooks {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO alert_deliveries
			(event_id, webhook, status, next_attempt_at, created_at, queued_at) VALUES (?, ?, 'pending', ?, ?, ?)`,
			changeID, w, at, at, at); err != nil {
			return fmt.Errorf("alert to %s: %w", w, err)
		}
	}
	return nil
}

// LeaseDelivery takes the head of one webhook's queue when it is due at
// now, and leases it until now+lease so no other sender (in this process or
// another) sends it meanwhile. ok is false when nothing is due: the queue is
// empty, or its head waits for a retry or is leased. A later alert never
// overtakes an earlier one, so a webhook gets its alerts in order.
func (s *Store) LeaseDelivery(ctx context.Context, webhook string, now time.Time, lease time.Duration) (d Delivery, ok bool, err error) {
	if s.w == nil {
		return Delivery{}, false, fmt.Errorf("lease alert to %s: %w", webhook, errReadOnly)
	}
	d, ok, err = s.leaseDelivery(ctx, webhook, now, lease)
	if err != nil {
		return Delivery{}, false, fmt.Errorf("lease alert to %s: %w", webhook, err)
	}
	return d, ok, nil
}

func (s *Store) leaseDelivery(ctx context.Context, webhook string, now time.Time, lease time.Duration) (Delivery, bool, error) {
	// The writer takes immediate transactions: from here on no other
	// process can lease the same row.
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return Delivery{}, false, err
	}
	defer tx.Rollback()
	var seq int64
	var next, leased, queued, detected, evidence sql.NullString
	var from, to sql.NullInt64
	d := Delivery{Webhook: webhook}
	c := &d.Change
	err = tx.QueryRowContext(ctx, `SELECT d.seq, d.event_id, d.attempts, d.last_error, d.next_attempt_at,
			d.lease_until, d.queued_at,
			c.detected_at, c.exchange, c.kind, c.type, c.symbol, c.unified, c.field, c.old, c.new,
			c.severity, c.snapshot_from, c.snapshot_to, c.evidence
		FROM alert_deliveries d JOIN change_events c ON c.id = d.event_id
		WHERE d.webhook = ? AND d.status = 'pending'
		ORDER BY d.created_at, d.seq LIMIT 1`, webhook).Scan(
		&seq, &d.EventID, &d.Attempt, (*nullText)(&d.LastError), &next, &leased, &queued,
		&detected, &c.Exchange, &c.Kind, &c.Type, &c.Symbol, &c.Unified, &c.Field, &c.Old, &c.New,
		&c.Severity, &from, &to, &evidence)
	if errors.Is(err, sql.ErrNoRows) {
		return Delivery{}, false, nil
	}
	if err != nil {
		return Delivery{}, false, err
	}
	at := bound(now)
	if next.String > at || leased.String > at {
		return Delivery{}, false, nil
	}
	c.ID, c.SnapshotFrom, c.SnapshotTo = d.EventID, from.Int64, to.Int64
	if c.DetectedAt, err = parseTime(detected); err != nil {
		return Delivery{}, false, err
	}
	if d.QueuedAt, err = parseTime(queued); err != nil {
		return Delivery{}, false, err
	}
	if evidence.Valid {
		if err := json.Unmarshal([]byte(evidence.String), &c.Evidence); err != nil {
			return Delivery{}, false, fmt.Errorf("change %s: evidence: %w", c.ID, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE alert_deliveries SET attempts = attempts + 1, lease_until = ?
		WHERE seq = ?`, timeValue(now.Add(lease)), seq); err != nil {
		return Delivery{}, false, err
	}
	if err := tx.Commit(); err != nil {
		return Delivery{}, false, err
	}
	d.Attempt++
	return d, true, nil
}

// nullText scans a nullable TEXT column into a string, NULL as "".
type nullText string

func (t *nullText) Scan(v any) error {
	var s sql.NullString
	if err := s.Scan(v); err != nil {
		return err
	}
	*t = nullText(s.String)
	return nil
}

// MarkDelivered records a 2xx answer to a delivery. A delivery already
// settled stays as it is.
func (s *Store) MarkDelivered(ctx context.Context, d Delivery, at time.Time) error {
	return s.settle(ctx, "mark alert delivered", d, `UPDATE alert_deliveries
		SET status = 'delivered', delivered_at = ?, next_attempt_at = NULL, lease_until = NULL
		WHERE event_id = ? AND webhook = ? AND status = 'pending'`, timeValue(at))
}

// MarkRetry records a failed attempt that will be tried again at next,
// releasing the lease. It never reopens a delivery another sender has
// settled meanwhile.
func (s *Store) MarkRetry(ctx context.Context, d Delivery, next time.Time, reason string) error {
	return s.settle(ctx, "schedule alert retry", d, `UPDATE alert_deliveries
		SET next_attempt_at = ?, last_error = ?, lease_until = NULL
		WHERE event_id = ? AND webhook = ? AND status = 'pending'`, timeValue(next), reason)
}

// MarkFailed records that a delivery will not be retried (a permanent
// answer, or retries gave up), so the next alert to the webhook can go.
func (s *Store) MarkFailed(ctx context.Context, d Delivery, reason string) error {
	return s.settle(ctx, "mark alert failed", d, `UPDATE alert_deliveries
		SET status = 'failed', last_error = ?, next_attempt_at = NULL, lease_until = NULL
		WHERE event_id = ? AND webhook = ? AND status = 'pending'`, reason)
}

// settle runs one update of a delivery's outcome in its own transaction.
func (s *Store) settle(ctx context.Context, what string, d Delivery, query string, args ...any) error {
	if s.w == nil {
		return fmt.Errorf("%s: %w", what, errReadOnly)
	}
	args = append(args, d.EventID, d.Webhook)
	if _, err := s.w.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("%s %s to %s: %w", what, d.EventID, d.Webhook, err)
	}
	return nil
}

// NextAttempt returns the earliest time at which the head of one of the
// webhooks' queues becomes due (its retry time or the end of its lease),
// so a sender can sleep until then. ok is false when every queue is empty.
func (s *Store) NextAttempt(ctx context.Context, webhooks []string) (next time.Time, ok bool, err error) {
	next, ok, err = s.nextAttempt(ctx, webhooks)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next alert attempt: %w", err)
	}
	return next, ok, nil
}

func (s *Store) nextAttempt(ctx context.Context, webhooks []string) (time.Time, bool, error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return time.Time{}, false, err
	}
	defer tx.Rollback()
	var earliest string
	for _, w := range webhooks {
		var at sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT MAX(COALESCE(next_attempt_at, ''), COALESCE(lease_until, ''))
			FROM alert_deliveries WHERE webhook = ? AND status = 'pending'
			ORDER BY created_at, seq LIMIT 1`, w).Scan(&at)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			continue
		case err != nil:
			return time.Time{}, false, err
		}
		if earliest == "" || at.String < earliest {
			earliest = at.String
		}
	}
	if earliest == "" {
		return time.Time{}, false, nil
	}
	t, err := parseTime(sql.NullString{String: earliest, Valid: true})
	return t, err == nil, err
}

// Alert is one webhook delivery as `rivalwatch alerts list` shows it.
type Alert struct {
	EventID       string
	Webhook       string
	Status        string // AlertPending, AlertDelivered or AlertFailed
	Attempts      int
	LastError     string
	NextAttemptAt time.Time // zero unless pending
	DeliveredAt   time.Time // zero unless delivered
	CreatedAt     time.Time
	Type          diff.Type
	Exchange      string
	Symbol        string
}

// Alerts returns the deliveries with the given status ("" for all), oldest
// first.
func (s *Store) Alerts(ctx context.Context, status string) ([]Alert, error) {
	if err := checkStatus(status); err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT d.event_id, d.webhook, d.status, d.attempts, d.last_error,
			d.next_attempt_at, d.delivered_at, d.created_at, c.type, c.exchange, c.symbol
		FROM alert_deliveries d JOIN change_events c ON c.id = d.event_id
		WHERE ? = '' OR d.status = ? ORDER BY d.created_at, d.seq`, status, status)
	if err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	var out []Alert
	err = scanRows(rows, func() error {
		var a Alert
		var next, delivered, created sql.NullString
		if err := rows.Scan(&a.EventID, &a.Webhook, &a.Status, &a.Attempts, (*nullText)(&a.LastError),
			&next, &delivered, &created, &a.Type, &a.Exchange, &a.Symbol); err != nil {
			return err
		}
		var err error
		if a.NextAttemptAt, err = parseTime(next); err != nil {
			return err
		}
		if a.DeliveredAt, err = parseTime(delivered); err != nil {
			return err
		}
		if a.CreatedAt, err = parseTime(created); err != nil {
			return err
		}
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("alerts: %w", err)
	}
	return out, nil
}

func checkStatus(status string) error {
	switch status {
	case "", AlertPending, AlertDelivered, AlertFailed:
		return nil
	}
	return fmt.Errorf("unknown status %q (want pending, delivered or failed)", status)
}

// RetryAlerts makes the failed or waiting deliveries of one event due now,
// with a fresh give-up clock and retry schedule: an operator fixed the
// receiver and wants it sent. A delivery being sent right now keeps its
// lease. It returns how many deliveries it changed; none is an error, so a
// mistyped ID does not pass silently.
func (s *Store) RetryAlerts(ctx context.Context, eventID string) (int, error) {
	n, err := s.retry(ctx, `event_id = ? AND status IN ('pending', 'failed')`, eventID)
	if err != nil {
		return 0, fmt.Errorf("retry alerts of %s: %w", eventID, err)
	}
	if n == 0 {
		return 0, fmt.Errorf("retry alerts of %s: no failed or pending alert has this event id", eventID)
	}
	return n, nil
}

// RetryFailedAlerts puts every failed delivery back in its queue, due now
// and in its original order. It returns how many it requeued.
func (s *Store) RetryFailedAlerts(ctx context.Context) (int, error) {
	n, err := s.retry(ctx, `status = 'failed'`)
	if err != nil {
		return 0, fmt.Errorf("retry failed alerts: %w", err)
	}
	return n, nil
}

func (s *Store) retry(ctx context.Context, where string, args ...any) (int, error) {
	if s.w == nil {
		return 0, errReadOnly
	}
	now := timeValue(s.now())
	res, err := s.w.ExecContext(ctx, `UPDATE alert_deliveries
		SET status = 'pending', attempts = 0, next_attempt_at = ?, queued_at = ?
		WHERE `+where, append([]any{now, now}, args...)...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// AlertHealth is how deliveries to one webhook are doing, for the digest's
// item about a webhook that keeps failing and for metrics.
type AlertHealth struct {
	Webhook   string
	Pending   int
	Retrying  int // pending after at least one failed attempt
	Failed    int
	Delivered int
	// OldestPending is when the oldest pending alert was queued; zero when
	// none is pending.
	OldestPending time.Time
	// LastError is the error of the newest pending or failed alert that
	// has one; "" when none has.
	LastError string
	// FailingSince is when the oldest alert that failed at least once
	// and is not delivered (retrying or given up) was queued; zero when
	// none is failing.
	FailingSince time.Time
	// LastDelivered is the newest delivery; zero when none was delivered.
	LastDelivered time.Time
}

// AlertHealth returns one row per webhook with deliveries, by name.
func (s *Store) AlertHealth(ctx context.Context) ([]AlertHealth, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT webhook,
			SUM(status = 'pending'), SUM(status = 'pending' AND last_error IS NOT NULL),
			SUM(status = 'failed'), SUM(status = 'delivered'),
			MIN(CASE WHEN status = 'pending' THEN queued_at END),
			(SELECT l.last_error FROM alert_deliveries l
			 WHERE l.webhook = d.webhook AND l.status != 'delivered' AND l.last_error IS NOT NULL
			 ORDER BY l.created_at DESC, l.seq DESC LIMIT 1),
			MIN(CASE WHEN status = 'failed' OR (status = 'pending' AND last_error IS NOT NULL) THEN queued_at END),
			MAX(delivered_at)
		FROM alert_deliveries d GROUP BY webhook ORDER BY webhook`)
	if err != nil {
		return nil, fmt.Errorf("alert health: %w", err)
	}
	var out []AlertHealth
	err = scanRows(rows, func() error {
		var h AlertHealth
		var oldest, failing, delivered sql.NullString
		if err := rows.Scan(&h.Webhook, &h.Pending, &h.Retrying, &h.Failed, &h.Delivered, &oldest,
			(*nullText)(&h.LastError), &failing, &delivered); err != nil {
			return err
		}
		var err error
		if h.OldestPending, err = parseTime(oldest); err != nil {
			return err
		}
		if h.FailingSince, err = parseTime(failing); err != nil {
			return err
		}
		h.LastDelivered, err = parseTime(delivered)
		out = append(out, h)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("alert health: %w", err)
	}
	return out, nil
}
