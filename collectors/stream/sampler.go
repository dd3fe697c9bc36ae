package stream

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// DefaultResolution is how finely stream samples are stored unless
// configured otherwise: streams push every 100 ms to 90 s, and a row per
// symbol per minute is what funding analysis needs.
const DefaultResolution = time.Minute

// Sampler reduces a stream to one sample per symbol per resolution step:
// the latest sample of each symbol in each step (by the exchange's
// timestamp), emitted once the step has closed on our clock plus a short
// grace for exchange clocks that run behind. It is safe for concurrent
// use: Add from a Runner, Flush from a ticker.
type Sampler struct {
	res, grace time.Duration
	now        func() time.Time
	emit       func([]collectors.Funding)
	late       atomic.Int64

	mu      sync.Mutex
	pending map[bucketKey]collectors.Funding
	emitted map[symbolKey]time.Time // the last step emitted per symbol
}

type symbolKey struct{ exchange, symbol string }

type bucketKey struct {
	symbolKey
	step time.Time
}

// NewSampler returns a Sampler that passes each closed step to emit, on
// the goroutine of the Add or Flush that closed it; emit should be quick.
// resolution ≤ 0 means DefaultResolution; now is our clock.
func NewSampler(resolution time.Duration, now func() time.Time, emit func([]collectors.Funding)) *Sampler {
	if resolution <= 0 {
		resolution = DefaultResolution
	}
	return &Sampler{
		res:     resolution,
		grace:   min(5*time.Second, resolution/10),
		now:     now,
		emit:    emit,
		pending: map[bucketKey]collectors.Funding{},
		emitted: map[symbolKey]time.Time{},
	}
}

// Add takes samples (it fits Runner.Run's onSamples) and emits the steps
// that have closed by now. A sample for a step already emitted is dropped
// and counted in Late, so a symbol never gets two rows for one step.
func (s *Sampler) Add(fs []collectors.Funding) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range fs {
		k := bucketKey{symbolKey{f.Exchange, f.Symbol}, f.ObservedAt.Truncate(s.res)}
		if last, ok := s.emitted[k.symbolKey]; ok && !k.step.After(last) {
			s.late.Add(1)
			continue
		}
		if old, ok := s.pending[k]; !ok || !f.ObservedAt.Before(old.ObservedAt) {
			s.pending[k] = f
		}
	}
	s.flush(s.now())
}

// Flush emits every step closed by now. Call it from a ticker so a quiet
// stream's last step is not held back until its next message.
func (s *Sampler) Flush(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flush(now)
}

// Close emits everything pending, the open step included: the samples are
// real, and on shutdown there is no later chance to store them.
func (s *Sampler) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushIf(func(bucketKey) bool { return true })
}

// Late counts the samples dropped because their step had been emitted.
func (s *Sampler) Late() int64 { return s.late.Load() }

func (s *Sampler) flush(now time.Time) {
	s.flushIf(func(k bucketKey) bool { return !k.step.Add(s.res + s.grace).After(now) })
}

func (s *Sampler) flushIf(closed func(bucketKey) bool) {
	var keys []bucketKey
	for k := range s.pending {
		if closed(k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if !a.step.Equal(b.step) {
			return a.step.Before(b.step)
		}
		if a.exchange != b.exchange {
			return a.exchange < b.exchange
		}
		return a.symbol < b.symbol
	})
	out := make([]collectors.Funding, 0, len(keys))
	for _, k := range keys {
		out = append(out, s.pending[k])
		delete(s.pending, k)
		if last, ok := s.emitted[k.symbolKey]; !ok || k.step.After(last) {
			s.emitted[k.symbolKey] = k.step
		}
	}
	s.emit(out)
}
