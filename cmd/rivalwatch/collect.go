package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/rivalwatch/rivalwatch/cmd/rivalwatch/internal/pipeline"
	"github.com/rivalwatch/rivalwatch/collectors"
)

func runCollect(ctx context.Context, e env, args []string) error {
	var c commonFlags
	fs := newFlagSet("collect", "collect [--exchange binance|bybit|okx] [--kind instruments|funding|market|fees|announcements|yield]", e.stderr, &c)
	exchange := fs.String("exchange", "", "pull only this exchange")
	kind := fs.String("kind", "", "pull only this kind")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	var kinds []collectors.Kind
	if *kind != "" {
		k, err := collectors.ParseKind(*kind)
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		kinds = []collectors.Kind{k}
	}
	if *exchange != "" && !slices.Contains(exchangeNames, *exchange) {
		// A mistyped name is a usage error before any database is touched.
		return fmt.Errorf("%w: unknown exchange %q (want binance, bybit or okx)", errUsage, *exchange)
	}
	m, err := openMain(ctx, e, c, writable)
	if err != nil {
		return err
	}
	defer m.Close()
	if kinds == nil {
		kinds = m.Config.Kinds()
	}
	cs, err := buildCollectors(m.Config, *exchange, persistHolds(m.Store, e.log), m.Store)
	if err != nil {
		return err
	}
	results := pipeline.Collect(ctx, m.Store, cs, kinds, e.now)
	printHolds(e.stdout, results)
	printSweep(e.stdout, results)
	if ctx.Err() != nil {
		stopped := 0
		for _, r := range results {
			if collectors.KindOf(r.Snap.Err) == collectors.ErrInterrupted {
				stopped++
			}
		}
		return fmt.Errorf("interrupted: %d of %d pulls were stopped and recorded as interrupted; the %d that had answered are stored (run `rivalwatch diff` for their change events)",
			stopped, len(results), len(results)-stopped)
	}
	detector := m.detector()
	detector.Remember(results)
	events, err := detector.Pending(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\n%d new change events. Database: %s\n", events, m.Config.Database)
	sendAfterCollect(ctx, m)
	failed := 0
	for _, r := range results {
		if r.Failed() {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d pulls failed or were incomplete; what succeeded is stored", failed, len(results))
	}
	return nil
}

func runDiff(ctx context.Context, e env, args []string) error {
	var c commonFlags
	fs := newFlagSet("diff", "diff", e.stderr, &c)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	m, err := openMain(ctx, e, c, existing)
	if err != nil {
		return err
	}
	defer m.Close()
	n, err := m.detector().Pending(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d new change events.\n", n)
	return nil
}
