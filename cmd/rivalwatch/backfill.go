package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/store"
)

// fundingHistory is an exchange's funding history endpoint; the three
// collectors have one.
type fundingHistory interface {
	Exchange() string
	FundingHistory(ctx context.Context, symbol string, from, to time.Time) ([]collectors.Funding, error)
}

// backfillAttempts bounds the tries of one symbol while the exchange keeps
// asking us to wait.
const backfillAttempts = 5

// runBackfill pulls the funding history of every perpetual the rivals list
// into funding_history (origin 'backfill'), one symbol at a time per
// exchange within the exchange's rate limit, resuming after what an
// earlier, interrupted run stored.
func runBackfill(ctx context.Context, e env, args []string) error {
	var c commonFlags
	fs := newFlagSet("backfill", "backfill funding [--days 90] [--exchange binance|bybit|okx]", e.stderr, &c)
	days := fs.Int("days", 90, "how many days back")
	only := fs.String("exchange", "", "only this exchange")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "funding" {
		return fmt.Errorf("%w: backfill takes one argument, what to backfill: funding", errUsage)
	}
	if *days < 1 || *days > 3650 {
		return fmt.Errorf("%w: --days must be 1 to 3650, got %d", errUsage, *days)
	}
	m, err := openMain(ctx, e, c, existing)
	if err != nil {
		return err
	}
	defer m.Close()
	cs, err := buildCollectors(m.Config, *only, persistHolds(m.Store, e.log), nil)
	if err != nil {
		return err
	}
	to := m.now().UTC()
	from := to.AddDate(0, 0, -*days)

	// The symbols: each exchange's perpetuals, live, with their unified
	// names and intervals.
	type job struct {
		src     fundingHistory
		symbols []collectors.Instrument
	}
	var jobs []job
	var errs []error
	total := 0
	for _, col := range cs {
		src, ok := col.(fundingHistory)
		if !ok {
			continue
		}
		snap := collectors.Pull(ctx, col, collectors.KindInstruments, m.now)
		if snap.Err != nil {
			errs = append(errs, fmt.Errorf("%s: list the perpetuals: %w", col.Exchange(), snap.Err))
			continue
		}
		j := job{src: src, symbols: backfillSymbols(col.Exchange(), snap.Records.Instruments)}
		jobs = append(jobs, j)
		total += len(j.symbols)
	}
	prog := newProgress(e.stdout, total)
	var mu sync.Mutex
	var wg sync.WaitGroup
	var rows int
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := backfillExchange(ctx, m.Store, j.src, j.symbols, from, to, prog)
			mu.Lock()
			defer mu.Unlock()
			rows += n
			if err != nil {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	prog.finish()
	fmt.Fprintf(e.stdout, "backfilled %d new funding settlements from %s to %s\n", rows,
		from.Format("2006-01-02"), to.Format("2006-01-02"))
	if ctx.Err() != nil {
		return errors.New("interrupted: run the same command again to resume")
	}
	return errors.Join(errs...)
}

// backfillSymbols are the perpetuals whose history the exchange's endpoint
// serves: Bybit's linear ones, every Binance (USDⓈ-M and COIN-M) and OKX
// perpetual.
func backfillSymbols(exchange string, insts []collectors.Instrument) []collectors.Instrument {
	var out []collectors.Instrument
	for _, in := range insts {
		if in.ContractType != collectors.Perpetual || in.Status == collectors.StatusDelisted {
			continue
		}
		if exchange == "bybit" && in.Margin != collectors.Linear {
			continue
		}
		out = append(out, in)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Symbol < out[j].Symbol })
	return out
}

// backfillExchange backfills one exchange's symbols in order, each stored
// with its progress in one transaction. A rate limit is waited out and the
// symbol tried again; any other failure skips the symbol and is reported.
func backfillExchange(ctx context.Context, st *store.Store, src fundingHistory, symbols []collectors.Instrument,
	from, to time.Time, prog *progress) (int, error) {
	done, err := st.Backfilled(ctx, src.Exchange())
	if err != nil {
		return 0, err
	}
	var errs []error
	rows := 0
	for _, in := range symbols {
		if ctx.Err() != nil {
			break
		}
		start := from
		if c, ok := done[in.Symbol]; ok && !c.From.After(from) {
			start = c.To // covered up to there by an earlier run
		}
		n, err := backfillSymbol(ctx, st, src, in, start, to)
		rows += n
		if err != nil && ctx.Err() == nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", src.Exchange(), in.Symbol, err))
		}
		prog.step(src.Exchange())
	}
	return rows, errors.Join(errs...)
}

func backfillSymbol(ctx context.Context, st *store.Store, src fundingHistory, in collectors.Instrument, from, to time.Time) (int, error) {
	var err error
	for range backfillAttempts {
		var hist []collectors.Funding
		hist, err = src.FundingHistory(ctx, in.Symbol, from, to)
		var ce *collectors.Error
		if errors.As(err, &ce) && (ce.Kind == collectors.ErrRateLimited || ce.Kind == collectors.ErrBanned) {
			if serr := collectors.Sleep(ctx, max(ce.RetryAfter, time.Second)); serr != nil {
				return 0, serr
			}
			continue
		}
		if err != nil {
			return 0, err
		}
		for i := range hist {
			hist[i].Unified = in.Unified
			if hist[i].IntervalHours = collectors.SettlementInterval(hist, i); hist[i].IntervalHours == 0 {
				hist[i].IntervalHours = in.FundingIntervalHours
			}
		}
		return st.SaveBackfill(ctx, src.Exchange(), in.Symbol, hist, store.Coverage{From: from, To: to})
	}
	return 0, err
}

// progress shows the backfill's progress: a bar on a terminal, else a log
// line per exchange at every tenth of its symbols.
type progress struct {
	bar   *progressbar.ProgressBar
	w     io.Writer
	total int

	mu   sync.Mutex
	done map[string]int
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total, done: map[string]int{}}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription("funding history"),
			progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond))
	}
	return p
}

func (p *progress) step(exchange string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done[exchange]++
	all := 0
	for _, n := range p.done {
		all += n
	}
	if p.bar != nil {
		_ = p.bar.Set(all)
		return
	}
	if step := max(p.total/10, 1); all%step == 0 || all == p.total {
		var parts []string
		for _, ex := range exchangeNames {
			if n, ok := p.done[ex]; ok {
				parts = append(parts, fmt.Sprintf("%s %d", ex, n))
			}
		}
		fmt.Fprintf(p.w, "funding history: %d of %d symbols (%s)\n", all, p.total, strings.Join(parts, ", "))
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
