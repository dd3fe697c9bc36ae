// Package daemon runs rivalwatch continuously: every exchange and kind on
// its own cron schedule, change detection after each complete snapshot,
// the webhook sender, the daily digest, and an HTTP server with a status
// page, digest pages, a JSON feed of changes, a health check and
// Prometheus metrics.
//
// Other long-running parts plug in without touching the scheduler: a
// Component runs for the daemon's lifetime (the webhook sender, a stream
// runner), a Job runs on a schedule (retention), and Streams feeds the
// status page's and the metrics' stream section.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/configs"
	"github.com/rivalwatch/rivalwatch/diff"
	"github.com/rivalwatch/rivalwatch/reports"
	"github.com/rivalwatch/rivalwatch/reports/webhook"
	"github.com/rivalwatch/rivalwatch/store"
)

// Store is what the daemon needs of the database; a writable *store.Store
// implements it.
type Store interface {
	Save(ctx context.Context, snap collectors.Snapshot) (store.Saved, error)
	Freshness(ctx context.Context) ([]store.Freshness, error)
	Changes(ctx context.Context, from, to time.Time) ([]diff.Change, error)
	AlertHealth(ctx context.Context) ([]store.AlertHealth, error)
	Lags(ctx context.Context, from time.Time) ([]store.Lag, error)
	CheckWritable(ctx context.Context) error
}

// Detector turns stored runs into change events; *pipeline.Detector is
// one. It must be safe for concurrent use: every pull job calls it.
type Detector interface {
	Pending(ctx context.Context) (int, error)
}

// Component is a long-running part of the daemon, such as the webhook
// sender or a websocket stream runner. Run works until ctx ends, then
// releases what it holds and returns; the daemon ends components after
// the last job has finished, so what the jobs queued is still handled.
type Component interface {
	Name() string
	Run(ctx context.Context) error
}

// Job is a scheduled task besides the pulls (the digest, retention). A job
// that fails or panics is logged and counted; one still running when its
// time comes again is skipped, not stacked.
type Job struct {
	Name string
	Spec string // a cron spec as configs validates it; configs.Off is not scheduled
	Run  func(ctx context.Context) error
}

// Streams reports the live streams for the status page and /metrics; the
// stream runner implements it.
type Streams interface {
	Streams() []Stream
}

// Stream is the state of one live stream.
type Stream struct {
	Exchange, Name string
	Up             bool
	Since          time.Time // when it last went up or down
	Reconnects     int64
	GapSeconds     float64 // total time down since the daemon started
	LastError      string
}

// Options are what a Daemon is built from. Store, Detector, Sender,
// Digest, Listener and Metrics are required.
type Options struct {
	Store      Store
	Detector   Detector
	Collectors []collectors.Collector // one per exchange, built once: their clients hold the rate limiters
	Kinds      []collectors.Kind
	Schedule   configs.Schedule
	// Exchanges are the exchanges collected, in display order.
	Exchanges []string
	Sender    *webhook.Sender
	// Chat names the sender's chat webhooks (Slack, Lark, Discord) that
	// get the daily digest's headline.
	Chat []string
	// Digest builds one UTC day's digest from the database.
	Digest     func(ctx context.Context, day time.Time) (reports.Digest, error)
	ReportsDir string
	Jobs       []Job
	Components []Component
	Streams    Streams // nil when no stream runs
	Metrics    *Metrics
	Listener   net.Listener
	Grace      time.Duration // how long running jobs may finish after the stop signal
	// ParseSince reads /api/changes?since= (a duration such as 24h or 2d,
	// or an RFC 3339 time).
	ParseSince func(s string, now time.Time) (time.Time, error)
	Now        func() time.Time
	Log        *slog.Logger
}

// Daemon is a running rivalwatch.
type Daemon struct {
	opts    Options
	jobs    []*scheduled
	metrics *Metrics
	log     *slog.Logger

	running atomic.Bool // the scheduler is running

	mu       sync.Mutex
	stopping bool
	inFlight sync.WaitGroup // job runs

	lagMu   sync.Mutex
	lagSeen map[string]time.Time // observed lag events by ID, with their detection time
}

// cronParser reads specs as configs validates them.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// afterGrace bounds the wait for jobs told to stop once the grace period
// is over, and for components to end.
const afterGrace = 5 * time.Second

// New builds the daemon's schedule; nothing runs before Run.
func New(opts Options) (*Daemon, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	d := &Daemon{opts: opts, metrics: opts.Metrics, log: opts.Log, lagSeen: map[string]time.Time{}}
	if err := d.plan(); err != nil {
		return nil, err
	}
	d.metrics.register(d)
	return d, nil
}

// Run serves and runs the schedule until ctx ends, then shuts down: no new
// job starts, running ones get the grace period to finish (and are then
// cancelled), components end, and the HTTP server closes. The caller
// closes the store afterwards. A clean shutdown returns nil.
func (d *Daemon) Run(ctx context.Context) error {
	loc, err := d.opts.Schedule.Location()
	if err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	// Read at start even if the stop signal came meanwhile: the shutdown
	// below is then immediate and clean.
	restoreCtx, cancelRestore := context.WithTimeout(context.WithoutCancel(ctx), requestTimeout)
	err = d.restore(restoreCtx)
	cancelRestore()
	if err != nil {
		return err
	}
	// Jobs and components outlive the stop signal: they end on their own
	// terms, within the grace period.
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()
	compCtx, cancelComps := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelComps()

	c := cron.New(cron.WithLocation(loc), cron.WithParser(cronParser))
	for _, j := range d.jobs {
		if j.entry, err = c.AddJob(j.Spec, d.wrap(jobCtx, j)); err != nil {
			return fmt.Errorf("schedule %s %q: %w", j.Name, j.Spec, err)
		}
	}
	var comps sync.WaitGroup
	for _, comp := range d.opts.Components {
		comps.Add(1)
		go func() {
			defer comps.Done()
			if err := comp.Run(compCtx); err != nil && compCtx.Err() == nil {
				d.log.Error("component stopped", "component", comp.Name(), "error", err)
			}
		}()
	}
	srv := &http.Server{Handler: d.Handler(c), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(d.opts.Listener) }()

	c.Start()
	d.running.Store(true)
	// Every pull runs once at start, so the page has data at once rather
	// than after the first interval.
	for _, j := range d.jobs {
		if j.collector != nil {
			go d.wrap(jobCtx, j).Run()
		}
	}

	select {
	case <-ctx.Done():
	case err := <-served:
		d.running.Store(false)
		c.Stop()
		return fmt.Errorf("http server: %w", err)
	}
	d.log.Info("stopping: no new jobs; waiting for running ones", "grace", d.opts.Grace)
	d.running.Store(false)
	c.Stop()
	d.mu.Lock()
	d.stopping = true
	d.mu.Unlock()
	if !waitFor(&d.inFlight, d.opts.Grace) {
		d.log.Warn("jobs still running after the grace period; cancelling them", "grace", d.opts.Grace)
		cancelJobs()
		if !waitFor(&d.inFlight, afterGrace) {
			d.log.Error("jobs did not stop after being cancelled")
		}
	}
	cancelComps()
	if !waitFor(&comps, afterGrace) {
		d.log.Error("components did not stop in time")
	}
	shutdown, cancel := context.WithTimeout(context.Background(), afterGrace)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("http server: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http server: %w", err)
	}
	return nil
}

// waitFor waits for wg at most d; false when it timed out.
func waitFor(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}

func (d *Daemon) now() time.Time { return d.opts.Now() }
