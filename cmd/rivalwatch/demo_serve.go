package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/replay"
	"github.com/rivalwatch/rivalwatch/configs"
	"github.com/rivalwatch/rivalwatch/store"
)

// demoServeOptions are demo --serve's flags.
type demoServeOptions struct {
	listen      string        // "" for the config's serve.listen
	switchAfter time.Duration // when the replay moves from day one to day two
	every       time.Duration // the pulls' interval
}

// demoServe runs serve offline against the demo cassettes: day one at
// first, day two after o.switchAfter, every pull every o.every, so a
// newcomer watches the events of day two arrive on the status page.
func demoServe(ctx context.Context, e env, cfg configs.Config, dir string, o demoServeOptions) error {
	if o.every < time.Second {
		return fmt.Errorf("%w: --every must be at least 1s, got %s", errUsage, o.every)
	}
	var days [2]http.Handler
	for i, round := range demoRounds {
		cas, err := replay.Load(demoData, round.dir)
		if err != nil {
			return err
		}
		days[i] = cas.Handler()
	}
	var today atomic.Pointer[http.Handler]
	today.Store(&days[0])
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo server: %w", err)
	}
	streams := &demoStreams{db: cfg.Database, every: 2 * time.Second, now: e.now, ctx: ctx}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if websocket.IsWebSocketUpgrade(r) {
				streams.ServeHTTP(w, r)
				return
			}
			(*today.Load()).ServeHTTP(w, r)
		})}
	go srv.Serve(ln)
	defer srv.Close()

	pointAt(&cfg, "http://"+ln.Addr().String())
	ws := "ws://" + ln.Addr().String()
	cfg.Streams.Enabled = true
	cfg.Exchanges.Binance.Websocket.USDM = ws + demoStreamPaths["binance"]
	cfg.Exchanges.Bybit.Websocket.Linear = ws + demoStreamPaths["bybit"]
	cfg.Exchanges.OKX.Websocket.Public = ws + demoStreamPaths["okx"]
	spec := "@every " + o.every.String()
	cfg.Schedule.Jobs = configs.Jobs{Instruments: spec, Funding: spec, Market: spec, Announcements: spec, Fees: spec, Yield: spec}
	cfg.Schedule.Exchanges = nil
	cfg.Serve.ReportsDir = filepath.Join(dir, "reports")
	if o.listen != "" {
		cfg.Serve.Listen = o.listen
	}
	switcher := dayTwo{after: o.switchAfter, every: o.every, now: e.now, show: func(msg string) { fmt.Fprintln(e.stdout, msg) },
		switchTo:   func() { today.Store(&days[1]) },
		dayOneDone: func(ctx context.Context) (bool, error) { return dayOneStored(ctx, cfg) }}
	fmt.Fprintln(e.stdout, "rivalwatch demo --serve: recorded Binance, Bybit and OKX served on this machine (no internet).")
	return serve(ctx, e, cfg, serveExtras{components: []daemonComponent{switcher}, ready: func(addr string) {
		fmt.Fprintf(e.stdout, "Open %s/ : day one now; day two at %s, its events within %s after.\n",
			addr, e.now().Add(o.switchAfter).Format("15:04:05"), o.every)
	}})
}

// dayTwo moves the demo's replay to the second day once, after a while
// and once day one is stored whole (else day two would be the baseline,
// and show no change).
type dayTwo struct {
	after, every time.Duration
	now          func() time.Time
	show         func(string)
	switchTo     func()
	dayOneDone   func(ctx context.Context) (bool, error)
}

func (dayTwo) Name() string { return "demo day switch" }

func (s dayTwo) Run(ctx context.Context) error {
	t := time.NewTimer(s.after)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return nil
	case <-t.C:
	}
	for {
		done, err := s.dayOneDone(ctx)
		if err != nil {
			return err
		}
		if done {
			break
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(dayOnePoll):
		}
	}
	s.switchTo()
	s.show(fmt.Sprintf("%s: day two is live; its change events arrive within %s.", s.now().Format("15:04:05"), s.every))
	return nil
}

// dayOnePoll is how often the switch looks whether day one is stored.
const dayOnePoll = 200 * time.Millisecond

// dayOneStored reports whether every exchange and kind of the demo has a
// complete snapshot.
func dayOneStored(ctx context.Context, cfg configs.Config) (bool, error) {
	st, err := store.OpenReadOnly(ctx, cfg.Database)
	if err != nil {
		return false, err
	}
	defer st.Close()
	fresh, err := st.Freshness(ctx)
	if err != nil {
		return false, err
	}
	complete := 0
	for _, f := range fresh {
		if !f.LastComplete.IsZero() {
			complete++
		}
	}
	// Only the kinds an exchange publishes are pulled (Binance has no
	// yield without an account).
	cs, err := buildCollectors(cfg, "", nil, nil)
	if err != nil {
		return false, err
	}
	want := 0
	for _, c := range cs {
		for _, k := range cfg.Kinds() {
			if collectors.Supports(c, k) {
				want++
			}
		}
	}
	return complete >= want, nil
}
