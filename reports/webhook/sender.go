package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/rivalwatch/rivalwatch/diff"
	"github.com/rivalwatch/rivalwatch/store"
)

// Outbox is where alerts wait for delivery; *store.Store is one.
type Outbox interface {
	// LeaseDelivery takes the head of a webhook's queue if it is due at
	// now, hiding it from other senders until now+lease.
	LeaseDelivery(ctx context.Context, webhook string, now time.Time, lease time.Duration) (store.Delivery, bool, error)
	MarkDelivered(ctx context.Context, d store.Delivery, at time.Time) error
	MarkRetry(ctx context.Context, d store.Delivery, next time.Time, reason string) error
	MarkFailed(ctx context.Context, d store.Delivery, reason string) error
	// NextAttempt is when the first of the webhooks' queue heads is due.
	NextAttempt(ctx context.Context, webhooks []string) (time.Time, bool, error)
}

// Defaults of the Sender's timing fields.
const (
	// DefaultLease outlasts an attempt (DefaultTimeout) with room to record
	// its outcome; only a killed process lets it run out.
	DefaultLease = 2 * time.Minute
	// DefaultPoll is how often Run looks at the outbox without being
	// notified, for alerts that another process queued.
	DefaultPoll = 30 * time.Second
)

// minWait keeps Run from spinning if the outbox keeps saying something is
// due that it cannot lease.
const minWait = 100 * time.Millisecond

// settleTimeout bounds recording an attempt's outcome, which happens even
// when the run's context has ended: a 2xx must not be forgotten.
const settleTimeout = 5 * time.Second

// Sender delivers the outbox's alerts to the configured webhooks. The zero
// values of its optional fields are the defaults; fields must not change
// once it is in use.
type Sender struct {
	Outbox Outbox
	Hooks  map[string]Hook // by name, the name alerts are queued under

	Client      *http.Client  // nil: NewClient(DefaultTimeout)
	Lease       time.Duration // DefaultLease
	MaxBackoff  time.Duration // DefaultMaxBackoff
	GiveUpAfter time.Duration // DefaultGiveUpAfter, counted from when the alert was queued
	Poll        time.Duration // DefaultPoll

	// Now, Sleep and Rand (uniform in [0, 1), for jitter) are replaced in
	// tests.
	Now    func() time.Time
	Sleep  func(ctx context.Context, d time.Duration) error
	Rand   func() float64
	Logger *slog.Logger

	once          sync.Once
	wake          chan struct{}
	defaultClient *http.Client
}

// Report counts what one SendDue did.
type Report struct {
	Delivered int
	Retried   int // failed attempts that will be tried again
	Failed    int // deliveries given up: a permanent answer, or retries ran out
}

func (r *Report) add(o Report) {
	r.Delivered += o.Delivered
	r.Retried += o.Retried
	r.Failed += o.Failed
}

// Route names the webhooks that want a change, sorted: what the store
// queues alerts under.
func (s *Sender) Route(c diff.Change) []string {
	var names []string
	for name, h := range s.Hooks {
		if h.Matches(c) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// Notify tells a running Run that alerts were committed, so they go out
// now rather than at the next poll. It never blocks.
func (s *Sender) Notify() {
	select {
	case s.wakeup() <- struct{}{}:
	default: // a wake-up is already pending; one is enough
	}
}

// SendDue delivers every alert that is due, each webhook's in order and the
// webhooks concurrently, so a slow receiver holds up only its own alerts.
// It returns when nothing more is due (a retry waits for its time, which
// the next SendDue or Run honours) or ctx ends, leaving the rest queued.
// Its error is the outbox's; delivery failures are counted in the Report.
func (s *Sender) SendDue(ctx context.Context) (Report, error) {
	names := s.names()
	reports := make([]Report, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reports[i], errs[i] = s.drain(ctx, name)
		}()
	}
	wg.Wait()
	var total Report
	for _, r := range reports {
		total.add(r)
	}
	if total != (Report{}) {
		s.logger().Info("webhook alerts sent", "delivered", total.Delivered, "retrying", total.Retried, "failed", total.Failed)
	}
	return total, errors.Join(errs...)
}

// drain delivers one webhook's due alerts, one at a time, oldest first.
func (s *Sender) drain(ctx context.Context, name string) (Report, error) {
	h := s.Hooks[name]
	h.Name = name
	var r Report
	for ctx.Err() == nil {
		d, ok, err := s.Outbox.LeaseDelivery(ctx, name, s.now(), s.lease())
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return r, err
		}
		if !ok {
			break
		}
		o, err := s.deliver(ctx, h, d)
		r.add(o)
		if err != nil {
			return r, err
		}
	}
	return r, nil
}

// deliver makes one attempt and records its outcome in the outbox.
func (s *Sender) deliver(ctx context.Context, h Hook, d store.Delivery) (Report, error) {
	now := s.now()
	payload, err := body(h, d.Change, summary(d.Change), now)
	if err == nil {
		err = s.post(ctx, h, d.EventID, payload, now)
	}
	interrupted := ctx.Err() != nil
	settle, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
	defer cancel()
	log := s.logger().With("webhook", h.Name, "event", d.EventID, "attempt", d.Attempt)
	if err == nil {
		log.Debug("webhook alert delivered")
		return Report{Delivered: 1}, s.Outbox.MarkDelivered(settle, d, s.now())
	}
	reason := err.Error()
	if interrupted {
		// Cut off by the end of the run, not refused: due again at once.
		return Report{}, s.Outbox.MarkRetry(settle, d, s.now(), reason)
	}
	if KindOf(err) == Permanent {
		log.Error("webhook alert failed; it will not be retried", "error", reason)
		return Report{Failed: 1}, s.Outbox.MarkFailed(settle, d, reason)
	}
	wait := backoff(d.Attempt, s.rand(), s.maxBackoff())
	var e *Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		wait = e.RetryAfter
	}
	next := s.now().Add(wait)
	if giveUp := s.giveUpAfter(); next.After(d.QueuedAt.Add(giveUp)) {
		reason = fmt.Sprintf("gave up after %d attempts over %s: %s", d.Attempt, formatSpan(giveUp), reason)
		log.Error("webhook alert failed; it will not be retried", "error", reason)
		return Report{Failed: 1}, s.Outbox.MarkFailed(settle, d, reason)
	}
	// An outage of hours would log thousands of identical lines: log
	// only when the error changes.
	if reason != d.LastError {
		log.Warn("webhook alert not delivered; retrying", "error", reason, "retry_in", wait.Round(time.Second).String())
	}
	return Report{Retried: 1}, s.Outbox.MarkRetry(settle, d, next, reason)
}

// Run delivers alerts until ctx ends: what is due, then again when Notify
// is called, when the next retry is due, or at the latest after Poll.
func (s *Sender) Run(ctx context.Context) {
	names := s.names()
	var lastErr string
	for ctx.Err() == nil {
		_, err := s.SendDue(ctx)
		wait := s.poll()
		next, ok, nextErr := s.Outbox.NextAttempt(ctx, names)
		if ok {
			wait = min(wait, max(next.Sub(s.now()), minWait))
		}
		if err = errors.Join(err, nextErr); err != nil && ctx.Err() == nil {
			if err.Error() != lastErr {
				s.logger().Error("webhook alerts: cannot read the outbox; trying again", "error", err)
			}
			lastErr = err.Error()
		} else {
			lastErr = ""
		}
		s.waitFor(ctx, wait)
	}
}

// waitFor sleeps for d, or less if Notify is called or ctx ends. It
// returns only once its watcher is gone, so a wake-up is never swallowed
// after the next SendDue has begun.
func (s *Sender) waitFor(ctx context.Context, d time.Duration) {
	wake, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-s.wakeup():
			cancel()
		case <-wake.Done():
		}
	}()
	s.sleep(wake, d)
	cancel()
	<-done
}

// Test sends a test message to one webhook, so an operator can check its
// address, format and secret before the first real alert.
func (s *Sender) Test(ctx context.Context, name string) error {
	h, ok := s.Hooks[name]
	if !ok {
		return fmt.Errorf("test webhook: no webhook named %q in the config", name)
	}
	h.Name = name
	now := s.now()
	c := diff.Change{ID: "test-" + strconv.FormatInt(now.Unix(), 10), Type: "test", Severity: diff.Low, DetectedAt: now}
	text := "rivalwatch test message: alerts for webhook " + clean(name) + " will arrive here"
	payload, err := body(h, c, text, now)
	if err == nil {
		err = s.post(ctx, h, c.ID, payload, now)
	}
	if err != nil {
		return fmt.Errorf("test message to webhook %s: %w", name, err)
	}
	return nil
}

func (s *Sender) names() []string {
	names := make([]string, 0, len(s.Hooks))
	for name := range s.Hooks {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

func (s *Sender) setup() {
	s.once.Do(func() {
		s.wake = make(chan struct{}, 1)
		if s.Client == nil {
			s.defaultClient = NewClient(DefaultTimeout)
		}
	})
}

func (s *Sender) wakeup() chan struct{} {
	s.setup()
	return s.wake
}

func (s *Sender) client() *http.Client {
	s.setup()
	if s.Client != nil {
		return s.Client
	}
	return s.defaultClient
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sender) sleep(ctx context.Context, d time.Duration) {
	if s.Sleep != nil {
		_ = s.Sleep(ctx, d) // an interrupted sleep is the point of waitFor
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func (s *Sender) rand() float64 {
	if s.Rand != nil {
		return s.Rand()
	}
	return rand.Float64()
}

func (s *Sender) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (s *Sender) lease() time.Duration       { return orDefault(s.Lease, DefaultLease) }
func (s *Sender) maxBackoff() time.Duration  { return orDefault(s.MaxBackoff, DefaultMaxBackoff) }
func (s *Sender) giveUpAfter() time.Duration { return orDefault(s.GiveUpAfter, DefaultGiveUpAfter) }
func (s *Sender) poll() time.Duration        { return orDefault(s.Poll, DefaultPoll) }

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// formatSpan prints a give-up span the way the config writes it: 72h, 90m.
func formatSpan(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	case d%time.Minute == 0:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	}
	return d.String()
}
