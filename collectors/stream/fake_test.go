package stream

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// fakeProtocol speaks a made-up dialect: after connect it sends subs; the
// server sends {"s":symbol,"r":"rate","p":"mark","t":ms}, "pong",
// {"refused":"why"} for a subscription the exchange rejects, or "boom",
// which the parser panics on.
type fakeProtocol struct {
	url   string
	subs  []string
	rules Rules
	err   error // from Subscriptions

	mu     sync.Mutex
	resets int
}

func (p *fakeProtocol) Exchange() string { return "fake" }
func (p *fakeProtocol) Stream() string   { return "funding" }
func (p *fakeProtocol) URL() string      { return p.url }
func (p *fakeProtocol) Rules() Rules     { return p.rules }

func (p *fakeProtocol) Subscriptions() ([][]byte, error) {
	var out [][]byte
	for _, s := range p.subs {
		out = append(out, []byte(s))
	}
	return out, p.err
}

func (p *fakeProtocol) Reset() {
	p.mu.Lock()
	p.resets++
	p.mu.Unlock()
}

func (p *fakeProtocol) Parse(msg []byte, _ time.Time) ([]collectors.Funding, error) {
	switch string(msg) {
	case "pong":
		return nil, nil
	case "boom":
		panic("a parser bug")
	}
	var m struct {
		Refused *string `json:"refused"`
		S       string  `json:"s"`
		R       string  `json:"r"`
		P       string  `json:"p"`
		T       int64   `json:"t"`
	}
	if err := json.Unmarshal(msg, &m); err != nil {
		return nil, collectors.Classify(err)
	}
	if m.Refused != nil {
		return nil, &collectors.Error{Kind: collectors.ErrAPI, Msg: *m.Refused}
	}
	rate, err := collectors.ParseFloat(m.R)
	if err != nil {
		return nil, err
	}
	mark, err := collectors.ParseFloat(m.P)
	if err != nil {
		return nil, err
	}
	return []collectors.Funding{{Exchange: "fake", Symbol: m.S, Rate: rate, MarkPrice: mark, ObservedAt: collectors.Millis(m.T)}}, nil
}

// clock is a settable clock; the test moves it only at points where it
// knows what the runner is doing.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// sleeps records the waits asked for and returns at once (or with ctx).
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) All() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// run starts r and returns channels of its samples and gaps and a stop
// function that cancels it and waits for Run to return.
type running struct {
	samples chan []collectors.Funding
	gaps    chan Gap
	stop    func() error
}

func start(t *testing.T, r *Runner) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	rn := &running{samples: make(chan []collectors.Funding, 100), gaps: make(chan Gap, 100)}
	done := make(chan error, 1)
	go func() {
		done <- r.Run(ctx, func(fs []collectors.Funding) { rn.samples <- append([]collectors.Funding(nil), fs...) },
			func(g Gap) { rn.gaps <- g })
	}()
	var once sync.Once
	var err error
	rn.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(5 * time.Second):
				err = errors.New("Run did not return within 5s of cancel")
			}
		})
		return err
	}
	t.Cleanup(func() { _ = rn.stop() })
	return rn
}

func (rn *running) sample(t *testing.T) []collectors.Funding {
	t.Helper()
	select {
	case fs := <-rn.samples:
		return fs
	case <-time.After(5 * time.Second):
		t.Fatal("no samples within 5s")
		return nil
	}
}

func (rn *running) gap(t *testing.T) Gap {
	t.Helper()
	select {
	case g := <-rn.gaps:
		return g
	case <-time.After(5 * time.Second):
		t.Fatal("no gap within 5s")
		return Gap{}
	}
}
