// Package live keeps the rivals' websocket funding streams running for a
// long-lived process: one stream.Runner per exchange over the symbols of
// the latest complete instruments snapshot, samples reduced to the
// configured resolution and stored in funding_history, every outage stored
// in stream_gaps, and funding.extreme detected on the samples between REST
// sweeps. `rivalwatch serve` starts it; Status feeds its page and metrics.
package live

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/stream"
	"github.com/rivalwatch/rivalwatch/diff"
	"github.com/rivalwatch/rivalwatch/store"
)

// Store is what the streams need of the database; *store.Store implements
// it.
type Store interface {
	CompleteRuns(ctx context.Context, exchange string, kind collectors.Kind, until time.Time, n int) ([]store.RunRef, error)
	Records(ctx context.Context, snapshotID int64) (collectors.Records, error)
	SaveFundingSamples(ctx context.Context, origin store.Origin, fs []collectors.Funding) (int, error)
	SaveStreamGap(ctx context.Context, g store.Gap) error
	SaveChanges(ctx context.Context, changes []diff.Change, route store.Route) (int, error)
}

// Exchange is one exchange's stream.
type Exchange struct {
	Name string // binance, bybit, okx
	// Symbols picks the stream's symbols from the latest instruments
	// snapshot; nil for a stream that carries every symbol (Binance).
	Symbols func([]collectors.Instrument) []string
	// Protocol builds the stream for symbols.
	Protocol func(symbols []string) stream.Protocol
}

// Options configure Streams.
type Options struct {
	// Route names the webhooks that want an event, so stream events are
	// alerted like any other; nil queues none.
	Route      store.Route
	Resolution time.Duration  // one stored sample per symbol per step; default stream.DefaultResolution
	Diff       diff.Config    // the funding.extreme threshold
	Runner     stream.Options // reconnect, keep-alive and clock of each Runner
	// Refresh is how often the instruments are read again; a changed
	// symbol list restarts that exchange's stream. Default 1 min.
	Refresh time.Duration
	Now     func() time.Time // default time.Now
	Logger  *slog.Logger     // default discards
}

// Status is one stream's state, for the status page and metrics.
type Status struct {
	Exchange, Stream string
	Up               bool
	Since            time.Time // when it last went up or down; zero before it started
	Symbols          int
	Reconnects       int64
	GapSeconds       float64
	Samples          int64 // stored
	Skipped          int64 // unreadable messages, implausible or unknown samples
	Events           int64 // funding.extreme events stored
	Err              string
}

// Streams runs every configured exchange's stream.
type Streams struct {
	st   Store
	ex   []Exchange
	opts Options

	mu    sync.Mutex
	state map[string]*exchangeState
}

type exchangeState struct {
	runner  *stream.Runner
	stream  string
	symbols int
	samples int64
	skipped int64
	events  int64
	err     string
}

// New returns Streams over st for the exchanges given.
func New(st Store, exchanges []Exchange, opts Options) *Streams {
	if opts.Resolution <= 0 {
		opts.Resolution = stream.DefaultResolution
	}
	if opts.Refresh <= 0 {
		opts.Refresh = time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Runner.Now == nil {
		opts.Runner.Now = opts.Now
	}
	if opts.Runner.Logger == nil {
		opts.Runner.Logger = opts.Logger
	}
	s := &Streams{st: st, ex: exchanges, opts: opts, state: map[string]*exchangeState{}}
	for _, e := range exchanges {
		s.state[e.Name] = &exchangeState{}
	}
	return s
}

// Run keeps every stream going until ctx ends, then stores what the
// samplers hold and returns nil. One exchange failing never stops the
// others.
func (s *Streams) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, e := range s.ex {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.runExchange(ctx, e)
		}()
	}
	wg.Wait()
	return nil
}

// Status reports each stream's state, in the order the exchanges were
// given.
func (s *Streams) Status() []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Status, 0, len(s.ex))
	for _, e := range s.ex {
		st := s.state[e.Name]
		v := Status{Exchange: e.Name, Stream: st.stream, Symbols: st.symbols, Samples: st.samples,
			Skipped: st.skipped, Events: st.events, Err: st.err}
		if st.runner != nil {
			v.Up, v.Since, v.Reconnects, v.GapSeconds = st.runner.Up(), st.runner.Since(), st.runner.Reconnects(), st.runner.GapSeconds()
			v.Skipped += st.runner.Skipped()
		}
		out = append(out, v)
	}
	return out
}

func (s *Streams) update(exchange string, f func(*exchangeState)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s.state[exchange])
}

// basis is what a stream's samples are completed and compared with: the
// latest complete snapshots of instruments and funding.
type basis struct {
	symbols []string                      // sorted; nil for an all-symbols stream
	funding map[string]collectors.Funding // by symbol: the last known funding
}

func (s *Streams) loadBasis(ctx context.Context, e Exchange) (basis, error) {
	var b basis
	latest := func(kind collectors.Kind) (collectors.Records, bool, error) {
		refs, err := s.st.CompleteRuns(ctx, e.Name, kind, s.opts.Now(), 1)
		if err != nil || len(refs) == 0 {
			return collectors.Records{}, false, err
		}
		recs, err := s.st.Records(ctx, refs[0].SnapshotID)
		return recs, err == nil, err
	}
	funding, ok, err := latest(collectors.KindFunding)
	if err != nil {
		return b, err
	}
	if !ok {
		return b, errors.New("no complete funding snapshot yet: the stream starts after the first complete funding pull")
	}
	b.funding = make(map[string]collectors.Funding, len(funding.Funding))
	for _, f := range funding.Funding {
		b.funding[f.Symbol] = f
	}
	if e.Symbols != nil {
		inst, ok, err := latest(collectors.KindInstruments)
		if err != nil {
			return b, err
		}
		if !ok {
			return b, errors.New("no complete instruments snapshot yet: the stream starts after the first complete instruments pull")
		}
		b.symbols = e.Symbols(inst.Instruments)
		slices.Sort(b.symbols)
		if len(b.symbols) == 0 {
			return b, errors.New("the latest instruments list no perpetual to stream")
		}
	}
	return b, nil
}

// basisRetry is how soon a stream still lacking its first snapshots looks
// again: the daemon's first pulls finish within seconds of its start.
const basisRetry = time.Second

// runExchange runs one exchange's stream, restarting it when its symbols
// change, until ctx ends.
func (s *Streams) runExchange(ctx context.Context, e Exchange) {
	log := s.opts.Logger.With("exchange", e.Name)
	for ctx.Err() == nil {
		b, err := s.loadBasis(ctx, e)
		if err != nil {
			s.update(e.Name, func(st *exchangeState) {
				if st.err != err.Error() { // once, not at every look
					log.Warn("stream not started", "err", err)
				}
				st.err = err.Error()
			})
			if collectors.Sleep(ctx, min(s.opts.Refresh, basisRetry)) != nil {
				return
			}
			continue
		}
		s.update(e.Name, func(st *exchangeState) { st.err = "" })
		changed := s.session(ctx, e, b)
		if changed {
			log.Info("symbols changed: restarting the stream")
		}
	}
}

// session runs one stream over b's symbols until ctx ends (false) or the
// symbol list changes (true).
func (s *Streams) session(ctx context.Context, e Exchange, b basis) bool {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := e.Protocol(b.symbols)
	r := stream.New(p, s.opts.Runner)
	s.update(e.Name, func(st *exchangeState) {
		st.runner, st.stream, st.symbols = r, p.Stream(), len(b.symbols)
		if b.symbols == nil {
			st.symbols = len(b.funding)
		}
	})
	sink := &sink{s: s, exchange: e.Name, funding: b.funding}
	// The sampler's emit runs on the goroutine that closed the step; its
	// context outlives the session so Close can still store on shutdown.
	storeCtx := context.WithoutCancel(ctx)
	sampler := stream.NewSampler(s.opts.Resolution, s.opts.Now, func(fs []collectors.Funding) { sink.store(storeCtx, fs) })
	gaps := func(g stream.Gap) {
		err := s.st.SaveStreamGap(storeCtx, store.Gap{Exchange: g.Exchange, Stream: g.Stream, From: g.From, To: g.To, Reason: g.Reason})
		if err != nil {
			s.opts.Logger.Error("store stream gap", "exchange", e.Name, "err", err)
		}
	}
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, sampler.Add, gaps) }()

	tick := time.NewTicker(min(s.opts.Resolution, s.opts.Refresh))
	defer tick.Stop()
	lastCheck := s.opts.Now()
	changed := false
	for {
		select {
		case err := <-done:
			sampler.Close()
			if err != nil {
				s.update(e.Name, func(st *exchangeState) { st.err = err.Error() })
				s.opts.Logger.Error("stream cannot run", "exchange", e.Name, "err", err)
				_ = collectors.Sleep(ctx, s.opts.Refresh)
			}
			return changed
		case <-tick.C:
			now := s.opts.Now()
			sampler.Flush(now)
			if b.symbols == nil || now.Sub(lastCheck) < s.opts.Refresh {
				continue
			}
			lastCheck = now
			if next, err := s.loadBasis(ctx, e); err == nil && !slices.Equal(next.symbols, b.symbols) {
				changed = true
				cancel()
			}
		}
	}
}

// sink stores one session's samples and detects extreme funding on them.
type sink struct {
	s        *Streams
	exchange string
	mu       sync.Mutex
	funding  map[string]collectors.Funding // the last known funding per symbol
}

// store completes the samples with what only the REST pulls publish
// (unified symbol, interval, cap and floor), stores them, and stores the
// funding.extreme events they bring.
func (k *sink) store(ctx context.Context, fs []collectors.Funding) {
	k.mu.Lock()
	defer k.mu.Unlock()
	var keep []collectors.Funding
	unknown := 0
	for _, f := range fs {
		known, ok := k.funding[f.Symbol]
		if !ok {
			unknown++ // no unified symbol or interval to file it under
			continue
		}
		if f.Unified == "" {
			f.Unified = known.Unified
		}
		if f.IntervalHours == 0 {
			f.IntervalHours = known.IntervalHours
		}
		if f.Cap == 0 && f.Floor == 0 {
			f.Cap, f.Floor = known.Cap, known.Floor
		}
		keep = append(keep, f)
	}
	log := k.s.opts.Logger.With("exchange", k.exchange)
	n, err := k.s.st.SaveFundingSamples(ctx, store.OriginStream, keep)
	if err != nil {
		log.Error("store stream samples", "err", err)
		return
	}
	changes := k.extremes(keep)
	events, err := k.s.st.SaveChanges(ctx, changes, k.s.opts.Route)
	if err != nil {
		log.Error("store stream events", "err", err)
	}
	k.s.update(k.exchange, func(st *exchangeState) {
		st.samples += int64(n)
		st.skipped += int64(unknown)
		st.events += int64(events)
	})
}

// extremes runs diff.Funding between the last known funding and each step
// of samples, keeping funding.extreme only: intervals and caps are the
// REST pulls' business. A stream event has no snapshot; its ID hashes the
// sample step's time instead, so the same step stored twice is one event.
func (k *sink) extremes(fs []collectors.Funding) []diff.Change {
	var out []diff.Change
	for start := 0; start < len(fs); {
		end := start
		step := fs[start].ObservedAt.Truncate(k.s.opts.Resolution)
		for end < len(fs) && fs[end].ObservedAt.Truncate(k.s.opts.Resolution).Equal(step) {
			end++
		}
		prev := diff.Snap{ID: 1, Records: collectors.Records{}}
		for _, f := range fs[start:end] {
			if p, ok := k.funding[f.Symbol]; ok {
				prev.Records.Funding = append(prev.Records.Funding, p)
			}
		}
		next := diff.Snap{ID: 2, At: step, Records: collectors.Records{Funding: fs[start:end]}}
		for _, c := range diff.Funding(k.s.opts.Diff, k.exchange, prev, next) {
			if c.Type != diff.FundingExtreme {
				continue
			}
			c.SnapshotFrom, c.SnapshotTo = 0, 0
			c.ID = diff.ChangeID(c.ExchangeLabel(), c.Type, c.Symbol, c.Field, c.New, step.UnixMilli())
			out = append(out, c)
		}
		for _, f := range fs[start:end] {
			k.funding[f.Symbol] = f
		}
		start = end
	}
	return out
}
