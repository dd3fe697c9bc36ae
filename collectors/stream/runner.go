package stream

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// Options configure a Runner. Zero values take the defaults noted.
type Options struct {
	UserAgent        string        // sent on the handshake; default "rivalwatch/1.0"
	MaxMessageBytes  int64         // a larger message drops the connection; default 4 MiB
	HandshakeTimeout time.Duration // default 10 s
	BackoffMin       time.Duration // first reconnect delay; default 1 s
	BackoffMax       time.Duration // longest reconnect delay; default 2 min

	// PingEvery and Silence replace the protocol's rules when set: tests
	// use milliseconds, and a slow link may need more patience.
	PingEvery, Silence time.Duration

	Rand   func() float64                                   // jitter in [0, 1); default math/rand/v2
	Sleep  func(ctx context.Context, d time.Duration) error // waits out backoff and subscribe pauses
	Now    func() time.Time                                 // stamps gaps and received messages
	Logger *slog.Logger                                     // default discards
}

func (o Options) withDefaults() Options {
	if o.UserAgent == "" {
		o.UserAgent = "rivalwatch/1.0"
	}
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = 4 << 20
	}
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = 10 * time.Second
	}
	if o.BackoffMin <= 0 {
		o.BackoffMin = time.Second
	}
	if o.BackoffMax < o.BackoffMin {
		o.BackoffMax = max(2*time.Minute, o.BackoffMin)
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o
}

// Runner keeps one Protocol's stream running until its context ends. Its
// state methods are safe to call from other goroutines (status page,
// metrics) while Run is going.
type Runner struct {
	p      Protocol
	opts   Options
	rules  Rules
	dialer *websocket.Dialer
	log    *slog.Logger

	up         atomic.Bool
	reconnects atomic.Int64
	skipped    atomic.Int64

	mu       sync.Mutex
	gapSince time.Time // start of the open gap, zero when none
	gapTotal time.Duration
	since    time.Time // when the stream last went up or down
}

// New returns a Runner for p. Its dialer is its own: gorilla's
// DefaultDialer is shared by every library in the process.
func New(p Protocol, opts Options) *Runner {
	opts = opts.withDefaults()
	rules := p.Rules()
	if opts.PingEvery > 0 {
		rules.PingEvery = opts.PingEvery
	}
	if opts.Silence > 0 {
		rules.Silence = opts.Silence
	}
	if rules.Silence <= 0 {
		rules.Silence = time.Minute
	}
	return &Runner{
		p:     p,
		opts:  opts,
		rules: rules,
		dialer: &websocket.Dialer{
			Proxy:            http.ProxyFromEnvironment,
			HandshakeTimeout: opts.HandshakeTimeout,
		},
		log: opts.Logger.With("exchange", p.Exchange(), "stream", p.Stream()),
	}
}

// Run connects and keeps the stream going until ctx ends, then returns
// nil with no goroutine left behind. Valid samples go to onSamples, and
// every outage, once data flows again (or when ctx ends during one), to
// onGap; both are called from Run's goroutine, one at a time. Run returns
// an error only when the stream cannot run at all.
func (r *Runner) Run(ctx context.Context, onSamples func([]collectors.Funding), onGap func(Gap)) error {
	subs, err := r.p.Subscriptions()
	if err != nil {
		return fmt.Errorf("%s %s stream: %w", r.p.Exchange(), r.p.Stream(), err)
	}
	var gap *Gap
	closeGap := func(reason string) {
		gap.To = r.opts.Now()
		if reason != "" {
			gap.Reason += reason
		}
		r.mu.Lock()
		r.gapTotal += gap.Duration()
		r.gapSince = time.Time{}
		r.mu.Unlock()
		r.log.Info("stream back", "down_s", gap.Duration().Seconds(), "reason", gap.Reason)
		if onGap != nil {
			onGap(*gap)
		}
		gap = nil
	}
	deliver := func(fs []collectors.Funding) {
		if gap != nil {
			closeGap("")
		}
		if !r.up.Swap(true) {
			r.setSince(r.opts.Now())
		}
		if onSamples != nil {
			onSamples(fs)
		}
	}
	lastGood := r.opts.Now() // a first connection that fails is down from the start
	r.setSince(lastGood)
	for attempt := 0; ; attempt++ {
		end := r.session(ctx, subs, deliver)
		if !end.lastGood.IsZero() {
			lastGood = end.lastGood
		}
		if r.up.Swap(false) {
			r.setSince(lastGood)
		}
		if ctx.Err() == nil && gap == nil {
			gap = &Gap{Exchange: r.p.Exchange(), Stream: r.p.Stream(), From: lastGood, Reason: end.reason}
			r.mu.Lock()
			r.gapSince = lastGood
			r.mu.Unlock()
			r.log.Warn("stream down", "reason", end.reason)
		}
		if end.gotData {
			attempt = 0
		}
		if ctx.Err() == nil {
			r.reconnects.Add(1)
			_ = r.opts.Sleep(ctx, r.backoff(attempt)) // ends early only with ctx
		}
		if ctx.Err() != nil {
			if gap != nil {
				closeGap(" (still down when stopped)")
			}
			return nil
		}
	}
}

// backoff is the wait before reconnect attempt n (0 first): doubling from
// BackoffMin up to BackoffMax, then jittered over its upper half so that
// many clients cut off at once do not return at once, yet never retry
// faster than half the step.
func (r *Runner) backoff(n int) time.Duration {
	d := r.opts.BackoffMin
	for i := 0; i < n && d < r.opts.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, r.opts.BackoffMax)
	return d/2 + time.Duration(r.opts.Rand()*float64(d/2))
}

// Up reports whether the stream is connected and delivering data.
func (r *Runner) Up() bool { return r.up.Load() }

// Since is when the stream last went up or down: the first data of a
// connection, or the last good message before an outage.
func (r *Runner) Since() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.since
}

func (r *Runner) setSince(t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.since = t
}

// Reconnects counts the connections that failed or ended and were
// retried.
func (r *Runner) Reconnects() int64 { return r.reconnects.Load() }

// Skipped counts the unreadable messages and implausible samples dropped.
func (r *Runner) Skipped() int64 { return r.skipped.Load() }

// GapSeconds is the total time the stream has been down, the open gap
// included.
func (r *Runner) GapSeconds() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	total := r.gapTotal
	if !r.gapSince.IsZero() {
		total += r.opts.Now().Sub(r.gapSince)
	}
	return total.Seconds()
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
