package stream

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/stream/streamtest"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func msg(symbol string, rate float64, at time.Time) string {
	return fmt.Sprintf(`{"s":%q,"r":"%g","p":"100.5","t":%d}`, symbol, rate, at.UnixMilli())
}

// setup returns a server, a protocol dialing it and a runner with a fake
// clock at t0, recorded sleeps and test-sized intervals.
func setup(t *testing.T, p *fakeProtocol, opts Options) (*streamtest.Server, *Runner, *clock, *sleeps) {
	t.Helper()
	srv := streamtest.NewServer(t)
	p.url = srv.URL + "/ws/feed"
	clk, sl := &clock{t: t0}, &sleeps{}
	opts.Now, opts.Sleep = clk.Now, sl.Sleep
	if opts.Silence == 0 {
		opts.Silence = 200 * time.Millisecond
	}
	if opts.Rand == nil {
		opts.Rand = func() float64 { return 0 }
	}
	return srv, New(p, opts), clk, sl
}

func TestReplaySubscribesAndDelivers(t *testing.T) {
	p := &fakeProtocol{subs: []string{`{"sub":["A","B"]}`, `{"sub":["C"]}`}}
	srv, r, _, _ := setup(t, p, Options{UserAgent: "rivalwatch-test/1"})
	rn := start(t, r)

	c := srv.Accept(t)
	if c.Path != "/ws/feed" {
		t.Errorf("dialed path %q, want /ws/feed", c.Path)
	}
	if ua := c.Header.Get("User-Agent"); ua != "rivalwatch-test/1" {
		t.Errorf("User-Agent %q, want rivalwatch-test/1", ua)
	}
	for _, want := range p.subs {
		if got := string(c.Next(t)); got != want {
			t.Errorf("subscription %s, want %s", got, want)
		}
	}
	c.Send(msg("A", 0.0001, t0), msg("B", -0.0002, t0))
	for _, want := range []string{"A", "B"} {
		fs := rn.sample(t)
		if len(fs) != 1 || fs[0].Symbol != want {
			t.Fatalf("got %+v, want one sample of %s", fs, want)
		}
	}
	if !r.Up() {
		t.Error("Up() = false while data flows")
	}
	if err := rn.stop(); err != nil {
		t.Fatal(err)
	}
	c.Gone(t)
	select {
	case g := <-rn.gaps:
		t.Errorf("a clean stop recorded a gap: %+v", g)
	default:
	}
	if r.Up() || r.Reconnects() != 0 || r.GapSeconds() != 0 {
		t.Errorf("after stop: up %v, reconnects %d, gap %gs; want false, 0, 0", r.Up(), r.Reconnects(), r.GapSeconds())
	}
}

// TestRecovers breaks the first connection in each way an exchange can and
// checks the runner reconnects, resubscribes, records the gap with its
// reason from the last good message to the first sample after, and lets
// no bad sample through.
func TestRecovers(t *testing.T) {
	garbage := []string{
		`<html>maintenance</html>`,
		`{"s":"A","r":12,"t":1}`,                                             // wrong type
		`{"s":"A","r":"NaN","p":"1","t":` + ms(t0) + `}`,                     // not a number
		`{"s":"A","r":"5","p":"1","t":` + ms(t0) + `}`,                       // 500% funding
		`{"s":"A","r":"0.0001","p":"-3","t":` + ms(t0) + `}`,                 // negative mark price
		`{"s":"A B\n","r":"0.0001","p":"1","t":` + ms(t0) + `}`,              // not a symbol
		`{"s":"A","r":"0.0001","p":"1","t":` + ms(t0.AddDate(1, 0, 0)) + `}`, // a year ahead
		`{"s":"A","r":"0.0001","p":"1"`,                                      // truncated
	}
	tests := []struct {
		name   string
		break_ func(c *streamtest.Conn)
		reason string
		bad    int64 // Skipped() after recovery
	}{
		{"dropped", func(c *streamtest.Conn) { c.Drop() }, "the connection dropped", 0},
		{"closed by the exchange", func(c *streamtest.Conn) { c.Close(websocket.CloseGoingAway, "24h limit") },
			"the exchange closed the connection (code 1001: 24h limit)", 0},
		{"silent", func(*streamtest.Conn) {}, "no message for 200ms", 0},
		{"garbage", func(c *streamtest.Conn) { c.Send(garbage...) },
			"8 unreadable messages and nothing usable for 200ms", int64(len(garbage))},
		{"oversized", func(c *streamtest.Conn) { c.Send(strings.Repeat("x", 2048)) }, "a message was larger than the 1 KiB cap", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &fakeProtocol{subs: []string{`{"sub":"all"}`}}
			srv, r, clk, sl := setup(t, p, Options{MaxMessageBytes: 1024})
			rn := start(t, r)

			c := srv.Accept(t)
			c.Expect(t, "sub")
			c.Send(msg("A", 0.0001, t0))
			rn.sample(t)

			clk.Set(t0.Add(10 * time.Second))
			tt.break_(c)
			c2 := srv.Accept(t)
			c2.Expect(t, "sub") // resubscribed
			if r.Up() {
				t.Error("Up() = true before data flows again")
			}
			if got := r.Since(); !got.Equal(t0) {
				t.Errorf("down since %s, want the last good message at %s", got, t0)
			}
			back := t0.Add(25 * time.Second)
			clk.Set(back)
			c2.Send(msg("A", 0.0003, back))
			fs := rn.sample(t)
			if len(fs) != 1 || fs[0].Rate != 0.0003 {
				t.Errorf("after reconnecting got %+v, want the new good sample only", fs)
			}
			g := rn.gap(t)
			want := Gap{Exchange: "fake", Stream: "funding", From: t0, To: back, Reason: tt.reason}
			if g != want {
				t.Errorf("gap\n got %+v\nwant %+v", g, want)
			}
			if got := r.Since(); !got.Equal(back) {
				t.Errorf("up since %s, want %s", got, back)
			}
			if r.Reconnects() != 1 || !r.Up() || r.GapSeconds() != 25 {
				t.Errorf("reconnects %d, up %v, gap %gs; want 1, true, 25", r.Reconnects(), r.Up(), r.GapSeconds())
			}
			if got := r.Skipped(); got != tt.bad {
				t.Errorf("skipped %d, want %d", got, tt.bad)
			}
			if d := sl.All(); len(d) != 1 || d[0] != 500*time.Millisecond {
				t.Errorf("waits %v, want [500ms] (half the 1s first step, no jitter)", d)
			}
			if err := rn.stop(); err != nil {
				t.Fatal(err)
			}
			p.mu.Lock()
			defer p.mu.Unlock()
			if p.resets != 2 {
				t.Errorf("protocol reset %d times, want once per connection (2)", p.resets)
			}
		})
	}
}

func ms(t time.Time) string { return fmt.Sprint(t.UnixMilli()) }

// TestGoodSamplesSurviveBadNeighbours: an implausible sample, a refused
// subscription and a message the parser panics on are skipped, and the
// connection stays up for the good sample after them.
func TestGoodSamplesSurviveBadNeighbours(t *testing.T) {
	p := &fakeProtocol{}
	srv, r, _, _ := setup(t, p, Options{})
	rn := start(t, r)
	c := srv.Accept(t)
	c.Send(`{"s":"A","r":"2","p":"1","t":`+ms(t0)+`}`, `{"refused":"unknown symbol X"}`, "boom", msg("B", 0.001, t0))
	if fs := rn.sample(t); len(fs) != 1 || fs[0].Symbol != "B" {
		t.Fatalf("got %+v, want only B", fs)
	}
	if r.Skipped() != 2 || r.Reconnects() != 0 {
		t.Errorf("skipped %d, reconnects %d; want 2 (the implausible sample, the parser panic), 0", r.Skipped(), r.Reconnects())
	}
}

// TestKeepAlive: a connection without data stays up as long as the
// heartbeat goes on, for several silence deadlines: our text ping answered
// with "pong", or the server's control-frame ping that gorilla answers.
func TestKeepAlive(t *testing.T) {
	// 30 beats at 50 ms outlive the 1 s silence deadline; the deadline is
	// long enough that a loaded machine's scheduling gaps never reach it.
	const (
		beats   = 30
		every   = 50 * time.Millisecond
		silence = time.Second
	)
	tests := []struct {
		name  string
		ping  time.Duration
		serve func(t *testing.T, c *streamtest.Conn)
	}{
		{"client pings, server pongs", every, func(t *testing.T, c *streamtest.Conn) {
			for range beats {
				c.Expect(t, "ping")
				c.Send("pong")
			}
		}},
		{"server pings, client pongs", 0, func(t *testing.T, c *streamtest.Conn) {
			tick := time.NewTicker(every)
			defer tick.Stop()
			for i := range beats {
				<-tick.C
				c.Ping(t, fmt.Sprint("beat", i))
				if got, want := c.Pong(t), fmt.Sprint("beat", i); got != want {
					t.Fatalf("pong %q, want %q", got, want)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &fakeProtocol{rules: Rules{PingEvery: tt.ping, Ping: []byte("ping")}}
			srv, r, _, _ := setup(t, p, Options{Silence: silence})
			rn := start(t, r)
			c := srv.Accept(t)
			started := time.Now()
			tt.serve(t, c)
			if elapsed := time.Since(started); elapsed < silence {
				t.Fatalf("the heartbeat lasted %s, shorter than the deadline it must outlive", elapsed)
			}
			c.Send(msg("A", 0.0001, t0))
			rn.sample(t)
			if r.Reconnects() != 0 {
				t.Errorf("reconnected %d times while the heartbeat went on", r.Reconnects())
			}
		})
	}
}

// TestBackoffAfterRefusals: refused handshakes wait longer each time, up
// to the cap; the gap names the first refusal; data resets the backoff.
func TestBackoffAfterRefusals(t *testing.T) {
	p := &fakeProtocol{}
	srv, r, clk, sl := setup(t, p, Options{BackoffMin: time.Second, BackoffMax: 4 * time.Second,
		Rand: func() float64 { return 0.5 }})
	srv.Refuse(http.StatusUnavailableForLegalReasons, 503, 503, 503)
	rn := start(t, r)
	c := srv.Accept(t)
	clk.Set(t0.Add(time.Minute))
	c.Send(msg("A", 0.0001, t0.Add(time.Minute)))
	rn.sample(t)
	g := rn.gap(t)
	want := Gap{Exchange: "fake", Stream: "funding", From: t0, To: t0.Add(time.Minute),
		Reason: "the exchange refused the connection (HTTP 451, blocked from this location or address)"}
	if g != want {
		t.Errorf("gap\n got %+v\nwant %+v", g, want)
	}
	c.Drop()
	srv.Accept(t)
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	if got, want := sl.All(), []time.Duration{ms(750), ms(1500), ms(3000), ms(3000), ms(750)}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("waits %v, want %v", got, want)
	}
}

func TestBackoffSteps(t *testing.T) {
	tests := []struct {
		rand float64
		want []time.Duration
	}{
		{0, []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second}},
		{0.999999, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}},
	}
	for _, tt := range tests {
		r := New(&fakeProtocol{}, Options{BackoffMin: time.Second, BackoffMax: 8 * time.Second, Rand: func() float64 { return tt.rand }})
		for n, want := range tt.want {
			if got := r.backoff(n).Round(time.Millisecond); got != want {
				t.Errorf("rand %g: backoff(%d) = %s, want %s", tt.rand, n, got, want)
			}
		}
	}
}

func TestSubscribePause(t *testing.T) {
	p := &fakeProtocol{subs: []string{"s1", "s2", "s3"}, rules: Rules{SubscribePause: 400 * time.Millisecond}}
	srv, r, _, sl := setup(t, p, Options{})
	start(t, r)
	c := srv.Accept(t)
	for _, want := range p.subs {
		if got := string(c.Next(t)); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	if got := sl.All(); len(got) != 2 || got[0] != 400*time.Millisecond || got[1] != 400*time.Millisecond {
		t.Errorf("pauses %v, want two of 400ms", got)
	}
}

func TestSubscriptionsErrorStopsRun(t *testing.T) {
	p := &fakeProtocol{err: errors.New("too many symbols for one connection")}
	_, r, _, _ := setup(t, p, Options{})
	err := r.Run(t.Context(), nil, nil)
	if err == nil || !strings.Contains(err.Error(), "fake funding stream: too many symbols") {
		t.Errorf("Run = %v, want the subscription error", err)
	}
}

// TestStopWhileDown: a stream stopped during an outage still reports it,
// so the record shows no data up to the stop.
func TestStopWhileDown(t *testing.T) {
	p := &fakeProtocol{}
	srv, r, clk, _ := setup(t, p, Options{})
	rn := start(t, r)
	c := srv.Accept(t)
	c.Send(msg("A", 0.0001, t0))
	rn.sample(t)
	clk.Set(t0.Add(time.Second))
	c.Drop()
	srv.Accept(t)
	clk.Set(t0.Add(3 * time.Second))
	if err := rn.stop(); err != nil {
		t.Fatal(err)
	}
	g := rn.gap(t)
	if g.From != t0 || g.To != t0.Add(3*time.Second) || g.Reason != "the connection dropped (still down when stopped)" {
		t.Errorf("gap %+v, want t0 to t0+3s, dropped, still down when stopped", g)
	}
}

// TestNoGoroutineLeft stops runners in every state (reading, waiting to
// reconnect, dialing a server that never answers the handshake) and
// checks every goroutine they and their servers started has ended.
func TestNoGoroutineLeft(t *testing.T) {
	before := runtime.NumGoroutine()
	for _, state := range []string{"reading", "backing off", "dialing"} {
		t.Run(state, func(t *testing.T) {
			p := &fakeProtocol{rules: Rules{PingEvery: 5 * time.Millisecond, Ping: []byte("ping")}}
			srv, r, _, _ := setup(t, p, Options{})
			var dialed <-chan struct{}
			switch state {
			case "backing off":
				r.opts.Sleep = sleep
				r.opts.BackoffMin = time.Hour
				srv.Refuse(503)
			case "dialing":
				p.url, dialed = mute(t)
			}
			rn := start(t, r)
			switch state {
			case "reading":
				srv.Accept(t).Expect(t, "ping")
			case "backing off":
				waitFor(t, func() bool { return r.Reconnects() == 1 })
			case "dialing":
				<-dialed
			}
			if err := rn.stop(); err != nil {
				t.Fatal(err)
			}
		})
	}
	waitFor(t, func() bool { return runtime.NumGoroutine() <= before })
}

// mute listens on loopback and never answers, so a handshake hangs until
// its context ends; dialed closes on the first connection.
func mute(t *testing.T) (url string, dialed <-chan struct{}) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	done, first := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				for _, c := range held {
					c.Close()
				}
				return
			}
			if held = append(held, c); len(held) == 1 {
				close(first)
			}
		}
	}()
	t.Cleanup(func() { l.Close(); <-done })
	return "ws://" + l.Addr().String() + "/ws", first
}

// waitFor polls cond for up to 5 s: the bound only trips on failure.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestCheck(t *testing.T) {
	good := collectors.Funding{Exchange: "x", Symbol: "BTCUSDT", Rate: -0.005, MarkPrice: 100, IntervalHours: 8,
		NextFundingAt: t0.Add(time.Hour), ObservedAt: t0}
	tests := []struct {
		name string
		edit func(*collectors.Funding)
		want string // "" for valid
	}{
		{"negative funding is normal", func(*collectors.Funding) {}, ""},
		{"Chinese symbol", func(f *collectors.Funding) { f.Symbol = "币安人生USDT" }, ""},
		{"no next funding", func(f *collectors.Funding) { f.NextFundingAt = time.Time{} }, ""},
		{"NaN rate", func(f *collectors.Funding) { f.Rate = math.NaN() }, "funding rate is not a number"},
		{"infinite mark", func(f *collectors.Funding) { f.MarkPrice = math.Inf(1) }, "mark price is not a number"},
		{"rate above 100%", func(f *collectors.Funding) { f.Rate = 1.5 }, "beyond ±100%"},
		{"rate below -100%", func(f *collectors.Funding) { f.Rate = -1.01 }, "beyond ±100%"},
		{"negative mark", func(f *collectors.Funding) { f.MarkPrice = -1 }, "negative"},
		{"interval", func(f *collectors.Funding) { f.IntervalHours = 1000 }, "funding interval"},
		{"empty symbol", func(f *collectors.Funding) { f.Symbol = "" }, "no symbol"},
		{"space in symbol", func(f *collectors.Funding) { f.Symbol = "BTC USDT" }, "not an instrument id"},
		{"long symbol", func(f *collectors.Funding) { f.Symbol = strings.Repeat("A", 65) }, "not an instrument id"},
		{"no time", func(f *collectors.Funding) { f.ObservedAt = time.Time{} }, "no timestamp"},
		{"future", func(f *collectors.Funding) { f.ObservedAt = t0.Add(time.Hour) }, "ahead of our clock"},
		{"stale", func(f *collectors.Funding) { f.ObservedAt = t0.Add(-48 * time.Hour) }, "more than a day old"},
		{"next funding in 2100", func(f *collectors.Funding) { f.NextFundingAt = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC) }, "implausible"},
	}
	for _, tt := range tests {
		f := good
		tt.edit(&f)
		err := Check(f, t0)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: Check = %v, want %q", tt.name, err, tt.want)
		}
	}
}

// BenchmarkRunner pushes messages through a loopback connection into the
// runner: reading, parsing, checking and delivering, per message.
func BenchmarkRunner(b *testing.B) {
	srv := streamtest.NewServer(b)
	p := &fakeProtocol{url: srv.URL}
	r := New(p, Options{Silence: time.Minute, Now: func() time.Time { return t0 }})
	got := make(chan struct{}, 1024)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- r.Run(ctx, func([]collectors.Funding) { got <- struct{}{} }, nil) }()
	defer func() { cancel(); <-done }()
	c := srv.Accept(b)
	m := msg("BTCUSDT", 0.0001, t0)
	b.ReportAllocs()
	for b.Loop() {
		c.Send(m)
		<-got
	}
}
