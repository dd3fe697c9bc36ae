package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/rivalwatch/rivalwatch/cmd/rivalwatch/internal/daemon"
	"github.com/rivalwatch/rivalwatch/cmd/rivalwatch/internal/live"
	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/configs"
	"github.com/rivalwatch/rivalwatch/reports"
	"github.com/rivalwatch/rivalwatch/reports/webhook"
)

func runServe(ctx context.Context, e env, args []string) error {
	var c commonFlags
	fs := newFlagSet("serve", "serve [--listen 127.0.0.1:8080]", e.stderr, &c)
	listen := fs.String("listen", "", "address of the status page, digests, API and metrics (default: the config's serve.listen)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(c)
	if err != nil {
		return err
	}
	if *listen != "" {
		cfg.Serve.Listen = *listen
	}
	return serve(ctx, e, cfg, serveExtras{})
}

// serveExtras are what a caller of serve adds to the config's daemon: the
// demo's replay switch, a benchmark's jobs.
type serveExtras struct {
	components []daemonComponent
	jobs       []daemon.Job
	// ready is called with the server's address once it listens.
	ready func(addr string)
}

// serve runs the daemon of cfg until ctx ends: it takes the database's
// single-instance lock, builds each exchange's collector once (so one
// request limiter per exchange serves all its jobs), and wires the
// detector, the webhook sender and the digest.
func serve(ctx context.Context, e env, cfg configs.Config, x serveExtras) error {
	release, err := daemon.Lock(cfg.Database+".lock", e.now())
	if err != nil {
		return err
	}
	defer release()
	m, err := startMain(ctx, e, cfg, writable)
	if err != nil {
		return err
	}
	defer m.Close()
	metrics := daemon.NewMetrics()
	var cs []collectors.Collector
	for _, name := range enabledExchanges(cfg) {
		hooks := persistHolds(m.Store, e.log)
		hooks.base = func() http.RoundTripper { return metrics.Transport(name, collectors.NewBaseTransport()) }
		one, err := buildCollectors(cfg, name, hooks, m.Store)
		if err != nil {
			return err
		}
		cs = append(cs, one...)
	}
	log := e.log.With("component", "serve")
	sender, unusable := m.sender()
	if unusable != nil {
		// The other webhooks still send; the status page and the digest
		// show the one that cannot.
		log.Warn("a webhook cannot send", "err", unusable)
	}
	sender.Logger = e.log.With("component", "webhooks")
	ln, err := net.Listen("tcp", cfg.Serve.Listen)
	if err != nil {
		return fmt.Errorf("serve: listen on %s: %w", cfg.Serve.Listen, err)
	}
	components := []daemon.Component{senderComponent{sender}}
	var streams daemon.Streams
	if cfg.Streams.Enabled {
		ls := m.streams("")
		components = append(components, streamsComponent{ls})
		streams = streamStatus{ls}
	}
	retention := daemon.Job{Name: "retention", Spec: cfg.Schedule.Spec("", "retention"), Run: func(ctx context.Context) error {
		got, err := m.compact(ctx)
		if err == nil {
			log.Info("retention done", "days", got.Days, "rows_before", got.RowsBefore, "rows_kept", got.RowsKept, "folded", got.Folded)
		}
		return err
	}}
	d, err := daemon.New(daemon.Options{
		Store: m.Store, Detector: m.detector(), Collectors: cs, Kinds: cfg.Kinds(), Schedule: cfg.Schedule,
		Exchanges: enabledExchanges(cfg), Sender: sender, Chat: chatHooks(cfg),
		Digest:     func(ctx context.Context, day time.Time) (reports.Digest, error) { return m.digest(ctx, m.Store, day) },
		ReportsDir: cfg.Serve.ReportsDir,
		Jobs:       append([]daemon.Job{retention}, x.jobs...),
		Components: append(components, x.components...),
		Streams:    streams,
		Metrics:    metrics, Listener: ln, Grace: cfg.Serve.Grace, ParseSince: parseSince, Now: e.now, Log: log,
	})
	if err != nil {
		ln.Close()
		return err
	}
	addr := "http://" + ln.Addr().String()
	fmt.Fprintf(e.stdout, "rivalwatch serve: status page on %s/ (metrics %s/metrics); database %s. Ctrl-C stops.\n", addr, addr, cfg.Database)
	if x.ready != nil {
		x.ready(addr)
	}
	if err := d.Run(ctx); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "rivalwatch serve: stopped cleanly.")
	return nil
}

// streamsComponent runs the live funding streams for the daemon's
// lifetime.
type streamsComponent struct{ s *live.Streams }

func (streamsComponent) Name() string { return "live funding streams" }

func (c streamsComponent) Run(ctx context.Context) error { return c.s.Run(ctx) }

// streamStatus shows the live streams on the status page and in /metrics.
type streamStatus struct{ s *live.Streams }

func (v streamStatus) Streams() []daemon.Stream {
	var out []daemon.Stream
	for _, st := range v.s.Status() {
		out = append(out, daemon.Stream{Exchange: st.Exchange, Name: st.Stream, Up: st.Up, Since: st.Since,
			Reconnects: st.Reconnects, GapSeconds: st.GapSeconds, LastError: st.Err})
	}
	return out
}

// daemonComponent is a long-running part a caller adds to the daemon.
type daemonComponent = daemon.Component

// senderComponent runs the webhook sender for the daemon's lifetime.
type senderComponent struct{ s *webhook.Sender }

func (senderComponent) Name() string { return "webhook sender" }

func (c senderComponent) Run(ctx context.Context) error {
	c.s.Run(ctx)
	return nil
}
