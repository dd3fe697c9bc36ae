package daemon

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/configs"
	"github.com/rivalwatch/rivalwatch/reports"
)

// scheduled is one job in the schedule. A pull job has its collector and
// kind; its failures are runs rows like any pull's.
type scheduled struct {
	Job
	collector collectors.Collector
	kind      collectors.Kind
	entry     cron.EntryID

	busy atomic.Bool // a run is in progress: the next one is skipped

	mu      sync.Mutex
	lastErr string // logged once until it changes
}

// plan lists the jobs: one pull per exchange and kind it publishes, unless
// its spec is off; the digest; then the caller's jobs.
func (d *Daemon) plan() error {
	for _, c := range d.opts.Collectors {
		for _, kind := range d.opts.Kinds {
			spec := d.opts.Schedule.Spec(c.Exchange(), string(kind))
			if spec == configs.Off || !collectors.Supports(c, kind) {
				continue
			}
			j := &scheduled{collector: c, kind: kind}
			j.Job = Job{Name: c.Exchange() + " " + string(kind), Spec: spec, Run: func(ctx context.Context) error { return d.pull(ctx, j) }}
			d.jobs = append(d.jobs, j)
		}
	}
	jobs := append([]Job{{Name: "digest", Spec: d.opts.Schedule.Spec("", "digest"), Run: d.dailyDigest}}, d.opts.Jobs...)
	for _, j := range jobs {
		if j.Spec == configs.Off {
			continue
		}
		if _, err := cronParser.Parse(j.Spec); err != nil {
			return fmt.Errorf("schedule of %s: %q: %w", j.Name, j.Spec, err)
		}
		d.jobs = append(d.jobs, &scheduled{Job: j})
	}
	return nil
}

// wrap makes one run of j: skipped if the previous one is still going (a
// pull that overruns its interval), refused once shutdown began, and
// recovered from a panic, which counts as a failure (for a pull, a failed
// run in the database).
func (d *Daemon) wrap(ctx context.Context, j *scheduled) cron.Job {
	return cron.FuncJob(func() {
		if !j.busy.CompareAndSwap(false, true) {
			d.metrics.skipped.WithLabelValues(j.Name).Inc()
			d.log.Info("job skipped: the previous run is still going", "job", j.Name)
			return
		}
		defer j.busy.Store(false)
		d.mu.Lock()
		if d.stopping {
			d.mu.Unlock()
			return
		}
		d.inFlight.Add(1)
		d.mu.Unlock()
		defer d.inFlight.Done()

		start := d.now()
		err := d.guard(ctx, j, start)
		if j.collector != nil {
			return // pulls count their own outcome
		}
		result := "ok"
		if err != nil {
			result = "failed"
		}
		d.metrics.jobs.WithLabelValues(j.Name, result).Inc()
		d.logOutcome(j, err)
	})
}

// guard runs j, turning a panic into an error; a pull that panicked is
// recorded as a failed run.
func (d *Daemon) guard(ctx context.Context, j *scheduled, start time.Time) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		d.log.Error("job panicked", "job", j.Name, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		err = fmt.Errorf("the job panicked: %v", r)
		if j.collector != nil {
			snap := collectors.Snapshot{Exchange: j.collector.Exchange(), Kind: j.kind, StartedAt: start.UTC(),
				Duration: d.now().Sub(start),
				Err: fmt.Errorf("%s %s: %w", j.collector.Exchange(), j.kind,
					&collectors.Error{Kind: collectors.ErrInternal, Msg: fmt.Sprintf("the pull panicked: %v", r)})}
			err = d.record(ctx, j, snap)
		}
	}()
	return j.Run(ctx)
}

// pull collects one kind from one exchange and stores it.
func (d *Daemon) pull(ctx context.Context, j *scheduled) error {
	return d.record(ctx, j, collectors.Pull(ctx, j.collector, j.kind, d.now))
}

// record stores a pull's snapshot (a failed one too: every attempt is a
// runs row), counts it, and after a complete snapshot looks for changes,
// hands new alerts to the sender and observes detection lags.
func (d *Daemon) record(ctx context.Context, j *scheduled, snap collectors.Snapshot) error {
	// A pull cut off by shutdown is still a run to record.
	saveCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), saveTimeout)
	defer cancel()
	saved, err := d.opts.Store.Save(saveCtx, snap)
	ex, kind := snap.Exchange, string(snap.Kind)
	result := string(saved.Status)
	if err != nil {
		result = "not_stored"
	}
	m := d.metrics
	m.runs.WithLabelValues(ex, kind, result).Inc()
	m.duration.WithLabelValues(ex, kind).Observe(snap.Duration.Seconds())
	m.items.WithLabelValues(ex, kind).Set(float64(snap.Records.Len()))
	switch {
	case err != nil:
	case snap.Err != nil:
		err = snap.Err
	case saved.Status.Complete():
		m.lastComplete.WithLabelValues(ex, kind).Set(float64(snap.StartedAt.UnixMilli()) / 1e3)
		err = d.detect(ctx)
	default:
		err = fmt.Errorf("%s %s: kept aside as incomplete: %s", ex, kind, saved.Reason)
	}
	d.logOutcome(j, err)
	return err
}

// saveTimeout bounds storing a pull's outcome, which happens even when
// the job's context has ended.
const saveTimeout = 10 * time.Second

// detect compares what is pending, wakes the sender and observes the lags
// of new events.
func (d *Daemon) detect(ctx context.Context) error {
	n, err := d.opts.Detector.Pending(ctx)
	if err != nil {
		return fmt.Errorf("detect changes: %w", err)
	}
	if n > 0 {
		d.log.Info("change events found", "events", n)
		if d.opts.Sender != nil {
			d.opts.Sender.Notify()
		}
	}
	return d.observeLags(ctx)
}

// logOutcome logs a job's failure when it differs from its last one, and
// its recovery, so an exchange down for hours is not a line a minute.
func (d *Daemon) logOutcome(j *scheduled, err error) {
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	j.mu.Lock()
	last := j.lastErr
	j.lastErr = msg
	j.mu.Unlock()
	switch {
	case msg != "" && msg != last:
		d.log.Warn("job failed", "job", j.Name, "error", msg)
	case msg == "" && last != "":
		d.log.Info("job recovered", "job", j.Name)
	}
}

// lagWindow is how far back detection lags are looked for: events are
// observed once, within a day of being detected (the plausible window of
// a source time, see diff.SourceTime, plus margin).
const lagWindow = 25 * time.Hour

// restore carries the database's state into the metrics at start: the
// last complete snapshots, and the events already stored, marked as
// observed so a restart does not count their lags again.
func (d *Daemon) restore(ctx context.Context) error {
	fresh, err := d.opts.Store.Freshness(ctx)
	if err != nil {
		return err
	}
	for _, f := range fresh {
		if !f.LastComplete.IsZero() {
			d.metrics.lastComplete.WithLabelValues(f.Exchange, string(f.Kind)).Set(float64(f.LastComplete.UnixMilli()) / 1e3)
		}
	}
	lags, err := d.opts.Store.Lags(ctx, d.now().Add(-lagWindow))
	if err != nil {
		return err
	}
	d.lagMu.Lock()
	defer d.lagMu.Unlock()
	for _, l := range lags {
		d.lagSeen[l.ID] = l.DetectedAt
	}
	return nil
}

// observeLags adds each new event with a source time to the detection-lag
// histogram, once.
func (d *Daemon) observeLags(ctx context.Context) error {
	from := d.now().Add(-lagWindow)
	lags, err := d.opts.Store.Lags(ctx, from)
	if err != nil {
		return err
	}
	d.lagMu.Lock()
	defer d.lagMu.Unlock()
	for id, at := range d.lagSeen {
		if at.Before(from) {
			delete(d.lagSeen, id)
		}
	}
	for _, l := range lags {
		if _, ok := d.lagSeen[l.ID]; ok {
			continue
		}
		d.lagSeen[l.ID] = l.DetectedAt
		d.metrics.lag.WithLabelValues(l.Kind).Observe(l.Seconds())
	}
	return nil
}

// dailyDigest writes the digest of the UTC day that ended into the reports
// folder and posts its headline to the chat webhooks.
func (d *Daemon) dailyDigest(ctx context.Context) error {
	day := d.now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1)
	dg, err := d.opts.Digest(ctx, day)
	if err != nil {
		return fmt.Errorf("digest of %s: %w", day.Format(time.DateOnly), err)
	}
	if err := os.MkdirAll(d.opts.ReportsDir, 0o755); err != nil {
		return fmt.Errorf("reports folder: %w", err)
	}
	base := filepath.Join(d.opts.ReportsDir, "rivalwatch-digest-"+dg.Date)
	var written []string
	for _, format := range []string{"html", "md"} {
		files, err := reports.Write(dg, format, base+"."+format)
		if err != nil {
			return err
		}
		written = append(written, files...)
	}
	d.log.Info("digest written", "day", dg.Date, "files", strings.Join(written, " "))
	text := headlineMessage(dg)
	var failed []string
	for _, name := range d.opts.Chat {
		if err := d.opts.Sender.Say(ctx, name, text); err != nil {
			failed = append(failed, err.Error())
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("digest of %s written, but not posted: %s", dg.Date, strings.Join(failed, "; "))
	}
	return nil
}

// headlineMessage is the chat message of a digest: its date and headline.
func headlineMessage(dg reports.Digest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Rival digest %s", dg.Date)
	if len(dg.Headline) == 0 {
		b.WriteString(": no rival changes.")
	}
	for i, e := range dg.Headline {
		fmt.Fprintf(&b, "\n%d. [%s] %s", i+1, e.Severity, e.Summary)
	}
	if dg.StaleFeeds > 0 {
		fmt.Fprintf(&b, "\nData warning: %d feeds are stale or failing.", dg.StaleFeeds)
	}
	return b.String()
}
