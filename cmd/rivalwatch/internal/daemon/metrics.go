package daemon

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the daemon's Prometheus metrics, on a registry of their own
// (never the global default), with the Go client's go_* and process_*
// collectors.
type Metrics struct {
	reg          *prometheus.Registry
	runs         *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	items        *prometheus.GaugeVec
	lastComplete *prometheus.GaugeVec
	requests     *prometheus.CounterVec
	rateLimited  *prometheus.CounterVec
	skipped      *prometheus.CounterVec
	jobs         *prometheus.CounterVec
	lag          *prometheus.HistogramVec
}

// NewMetrics builds the metrics. It comes before the daemon, because the
// exchanges' HTTP clients, built first, count their requests in it (see
// Transport).
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rivalwatch_runs_total",
			Help: "Pulls by exchange, kind and result (new, unchanged, incomplete, failed, not_stored)."},
			[]string{"exchange", "kind", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "rivalwatch_run_duration_seconds",
			Help:    "How long one pull took.",
			Buckets: []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120}}, []string{"exchange", "kind"}),
		items: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "rivalwatch_run_items",
			Help: "Records in the last pull."}, []string{"exchange", "kind"}),
		lastComplete: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "rivalwatch_last_complete_timestamp_seconds",
			Help: "Start of the last complete snapshot, Unix time."}, []string{"exchange", "kind"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rivalwatch_requests_total",
			Help: "HTTP requests sent to the exchange, retries included."}, []string{"exchange"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rivalwatch_rate_limited_total",
			Help: "Answers 429 (too many requests) or 418 (IP banned) from the exchange."}, []string{"exchange"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rivalwatch_jobs_skipped_total",
			Help: "Job runs skipped because the previous run was still going."}, []string{"job"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rivalwatch_job_runs_total",
			Help: "Runs of the jobs other than pulls (digest, retention) by result (ok, failed)."}, []string{"job", "result"}),
		lag: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "rivalwatch_detection_lag_seconds",
			Help:    "Detection time minus the source's own time (listing, announcement) of change events.",
			Buckets: []float64{5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1800, 3600, 21600, 86400}}, []string{"kind"}),
	}
	m.reg.MustRegister(m.runs, m.duration, m.items, m.lastComplete, m.requests, m.rateLimited, m.skipped, m.jobs, m.lag,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Transport counts the requests to one exchange and its rate-limit
// answers; it goes under the exchange's rate-limiting transport, so it
// sees every attempt as sent.
func (m *Metrics) Transport(exchange string, next http.RoundTripper) http.RoundTripper {
	requests, limited := m.requests.WithLabelValues(exchange), m.rateLimited.WithLabelValues(exchange)
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		requests.Inc()
		resp, err := next.RoundTrip(r)
		if err == nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusTeapot) {
			limited.Inc()
		}
		return resp, err
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// register adds what is read at scrape time: the outbox and the streams.
func (m *Metrics) register(d *Daemon) {
	m.reg.MustRegister(&scraped{d: d})
}

// handler serves the metrics in the Prometheus text format.
func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

var (
	outboxPendingDesc = prometheus.NewDesc("rivalwatch_outbox_pending", "Webhook alerts waiting for delivery.", nil, nil)
	outboxFailedDesc  = prometheus.NewDesc("rivalwatch_outbox_failed", "Webhook alerts given up.", nil, nil)
	streamUpDesc      = prometheus.NewDesc("rivalwatch_stream_up", "1 when the live stream is connected.", []string{"exchange", "stream"}, nil)
	reconnectsDesc    = prometheus.NewDesc("rivalwatch_stream_reconnects_total", "Reconnections of the live stream.", []string{"exchange", "stream"}, nil)
	gapDesc           = prometheus.NewDesc("rivalwatch_stream_gap_seconds_total", "Time the live stream was down.", []string{"exchange", "stream"}, nil)
)

// scrapeTimeout bounds the database read of one scrape.
const scrapeTimeout = 2 * time.Second

// scraped reads the outbox depth and the streams when Prometheus scrapes.
type scraped struct{ d *Daemon }

func (s *scraped) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{outboxPendingDesc, outboxFailedDesc, streamUpDesc, reconnectsDesc, gapDesc} {
		ch <- d
	}
}

func (s *scraped) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	if pending, failed, err := s.d.outbox(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(outboxPendingDesc, prometheus.GaugeValue, float64(pending))
		ch <- prometheus.MustNewConstMetric(outboxFailedDesc, prometheus.GaugeValue, float64(failed))
	} else {
		ch <- prometheus.NewInvalidMetric(outboxPendingDesc, err)
	}
	if s.d.opts.Streams == nil {
		return
	}
	for _, st := range s.d.opts.Streams.Streams() {
		up := 0.0
		if st.Up {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(streamUpDesc, prometheus.GaugeValue, up, st.Exchange, st.Name)
		ch <- prometheus.MustNewConstMetric(reconnectsDesc, prometheus.CounterValue, float64(st.Reconnects), st.Exchange, st.Name)
		ch <- prometheus.MustNewConstMetric(gapDesc, prometheus.CounterValue, st.GapSeconds, st.Exchange, st.Name)
	}
}

// outbox sums the webhooks' pending and failed alerts.
func (d *Daemon) outbox(ctx context.Context) (pending, failed int, err error) {
	hs, err := d.opts.Store.AlertHealth(ctx)
	for _, h := range hs {
		pending += h.Pending
		failed += h.Failed
	}
	return pending, failed, err
}
