package daemon

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"path"
	"slices"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/reports"
	"github.com/rivalwatch/rivalwatch/reports/units"
	"github.com/rivalwatch/rivalwatch/reports/webhook"
	"github.com/rivalwatch/rivalwatch/store"
)

//go:embed templates/*.tmpl
var templates embed.FS

var pageTemplates = template.Must(template.New("").Funcs(template.FuncMap{
	"when": when,
	"num":  func(n int) string { return units.Number(float64(n)) },
}).ParseFS(templates, "templates/*.tmpl"))

// requestTimeout bounds the database work of one page or API request.
const requestTimeout = 10 * time.Second

// digestDays is how many past days the status page links to.
const digestDays = 7

// Handler serves the status page, the digest pages, the changes API, the
// health check and the metrics; c is the running scheduler, for the next
// run times.
func (d *Daemon) Handler(c *cron.Cron) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { d.status(w, r, c) })
	mux.HandleFunc("GET /digest/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/digest/"+d.now().UTC().Format(time.DateOnly), http.StatusFound)
	})
	mux.HandleFunc("GET /digest/{day}", d.digestPage)
	mux.HandleFunc("GET /api/changes", d.changes)
	mux.HandleFunc("GET /healthz", d.healthz)
	mux.Handle("GET /metrics", d.metrics.handler())
	return mux
}

// healthz is about the process, not the rivals' data: 200 when the
// scheduler runs and the database takes writes, else 503 and why.
func (d *Daemon) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if !d.running.Load() {
		http.Error(w, "unhealthy: the scheduler is not running (starting or shutting down)", http.StatusServiceUnavailable)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), scrapeTimeout)
	defer cancel()
	if err := d.opts.Store.CheckWritable(ctx); err != nil {
		http.Error(w, "unhealthy: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ok")
}

// changes is /api/changes?since=24h&type=listing.*: a JSON array of the
// change events detected since then, each the webhook json body.
func (d *Daemon) changes(w http.ResponseWriter, r *http.Request) {
	now := d.now()
	q := r.URL.Query()
	since := q.Get("since")
	if since == "" {
		since = "24h"
	}
	from, err := d.opts.ParseSince(since, now)
	if err != nil {
		jsonError(w, http.StatusBadRequest, fmt.Sprintf("since=%q: want a duration such as 90m, 24h or 2d, or an RFC 3339 time", since))
		return
	}
	glob := q.Get("type")
	if glob == "" {
		glob = "*"
	}
	if _, err := path.Match(glob, ""); err != nil {
		jsonError(w, http.StatusBadRequest, fmt.Sprintf("type=%q: not a pattern such as listing.* or funding.extreme", glob))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
	defer cancel()
	changes, err := d.opts.Store.Changes(ctx, from, now.Add(time.Hour))
	if err != nil {
		jsonError(w, http.StatusInternalServerError, err.Error())
		return
	}
	out := []json.RawMessage{}
	for _, c := range changes {
		if ok, _ := path.Match(glob, string(c.Type)); !ok {
			continue
		}
		b, err := webhook.Event(c)
		if err != nil {
			jsonError(w, http.StatusInternalServerError, err.Error())
			return
		}
		out = append(out, b)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

func jsonError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// digestPage renders one UTC day's digest from the database, with links
// to the days before and after.
func (d *Daemon) digestPage(w http.ResponseWriter, r *http.Request) {
	day, err := time.Parse(time.DateOnly, r.PathValue("day"))
	if err != nil {
		http.Error(w, "not a day: want /digest/YYYY-MM-DD", http.StatusNotFound)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
	defer cancel()
	dg, err := d.opts.Digest(ctx, day)
	if err != nil {
		http.Error(w, "digest: "+err.Error(), http.StatusInternalServerError)
		return
	}
	var page bytes.Buffer
	if err := reports.RenderHTML(&page, dg); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	nav := navView{Prev: day.AddDate(0, 0, -1).Format(time.DateOnly)}
	if today := d.now().UTC().Truncate(24 * time.Hour); day.Before(today) {
		nav.Next = day.AddDate(0, 0, 1).Format(time.DateOnly)
	}
	var bar bytes.Buffer
	if err := pageTemplates.ExecuteTemplate(&bar, "nav.html.tmpl", nav); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(withNav(page.Bytes(), bar.Bytes()))
}

type navView struct{ Prev, Next string }

// withNav puts the navigation bar at the top of a digest page's body.
func withNav(page, bar []byte) []byte {
	i := bytes.Index(page, []byte("<body"))
	j := -1
	if i >= 0 {
		j = bytes.IndexByte(page[i:], '>')
	}
	if j < 0 {
		return append(bar, page...)
	}
	at := i + j + 1
	return slices.Concat(page[:at], []byte("\n"), bar, page[at:])
}

// statusView is the status page.
type statusView struct {
	Now       time.Time
	Scheduler bool
	Feeds     []feedRow
	Jobs      []jobRow
	Streams   []Stream
	HasStream bool
	Outbox    []store.AlertHealth
	OutboxErr string
	Digest    reports.Digest
	DigestErr string
	Days      []string
}

type feedRow struct {
	Exchange, Kind, Spec string
	Next                 time.Time
	Running              bool
	LastRun              time.Time
	LastComplete         time.Time
	Result               string
	Error                string
	Failing              bool
}

type jobRow struct {
	Name, Spec string
	Next       time.Time
	Running    bool
}

// status renders the status page: the feeds, the jobs, the streams, the
// outbox and today's headline so far.
func (d *Daemon) status(w http.ResponseWriter, r *http.Request, c *cron.Cron) {
	ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
	defer cancel()
	now := d.now()
	v := statusView{Now: now, Scheduler: d.running.Load(), HasStream: d.opts.Streams != nil}
	fresh, err := d.opts.Store.Freshness(ctx)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	byFeed := map[[2]string]store.Freshness{}
	for _, f := range fresh {
		byFeed[[2]string{f.Exchange, string(f.Kind)}] = f
	}
	for _, j := range d.jobs {
		next := c.Entry(j.entry).Next
		if j.collector == nil {
			v.Jobs = append(v.Jobs, jobRow{Name: j.Name, Spec: j.Spec, Next: next, Running: j.busy.Load()})
			continue
		}
		f := byFeed[[2]string{j.collector.Exchange(), string(j.kind)}]
		v.Feeds = append(v.Feeds, feedRow{Exchange: j.collector.Exchange(), Kind: string(j.kind), Spec: j.Spec,
			Next: next, Running: j.busy.Load(), LastRun: f.LastRun, LastComplete: f.LastComplete,
			Result: string(f.LastStatus), Error: f.LastError, Failing: f.FailuresSince > 0})
	}
	slices.SortStableFunc(v.Feeds, func(a, b feedRow) int {
		return cmpIndex(d.opts.Exchanges, a.Exchange, b.Exchange)*16 + cmpIndex(kindNames(), a.Kind, b.Kind)
	})
	if d.opts.Streams != nil {
		v.Streams = d.opts.Streams.Streams()
	}
	if v.Outbox, err = d.opts.Store.AlertHealth(ctx); err != nil {
		v.OutboxErr = err.Error()
	}
	today := now.UTC().Truncate(24 * time.Hour)
	if v.Digest, err = d.opts.Digest(ctx, today); err != nil {
		v.DigestErr = err.Error()
	}
	for i := range digestDays {
		v.Days = append(v.Days, today.AddDate(0, 0, -i).Format(time.DateOnly))
	}
	var b bytes.Buffer
	if err := pageTemplates.ExecuteTemplate(&b, "status.html.tmpl", v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b.Bytes())
}

func kindNames() []string {
	out := make([]string, len(collectors.AllKinds))
	for i, k := range collectors.AllKinds {
		out[i] = string(k)
	}
	return out
}

// cmpIndex orders a and b by their place in order; unknown ones last.
func cmpIndex(order []string, a, b string) int {
	ia, ib := slices.Index(order, a), slices.Index(order, b)
	if ia < 0 {
		ia = len(order)
	}
	if ib < 0 {
		ib = len(order)
	}
	return max(min(ia-ib, 1), -1)
}

// when prints a time for the page: UTC with seconds, or a dash.
func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}
