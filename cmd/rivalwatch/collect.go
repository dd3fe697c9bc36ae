package main

import (
	"context"
	"fmt"
	"io"

	"github.com/rivalwatch/rivalwatch/collectors"
)

func runCollect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c commonFlags
	fs := newFlagSet("collect", "collect [--exchange binance|bybit|okx] [--kind instruments|funding|market]", stderr, &c)
	exchange := fs.String("exchange", "", "pull only this exchange")
	kind := fs.String("kind", "", "pull only this kind")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(c)
	if err != nil {
		return err
	}
	kinds := cfg.Kinds()
	if *kind != "" {
		k, err := collectors.ParseKind(*kind)
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		kinds = []collectors.Kind{k}
	}
	cs, err := buildCollectors(cfg, *exchange, nil)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, clock)
	if err != nil {
		return err
	}
	defer st.Close()

	results := sweep(ctx, st, cs, kinds, clock)
	printSweep(stdout, results)
	events, err := newDiffer(st, cfg.DiffConfig()).pending(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n%d new change events. Database: %s\n", events, cfg.Database)
	failed := 0
	for _, r := range results {
		if r.failed() {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d pulls failed or were incomplete; what succeeded is stored", failed, len(results))
	}
	return nil
}

func runDiff(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c commonFlags
	fs := newFlagSet("diff", "diff", stderr, &c)
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(c)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, clock)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := newDiffer(st, cfg.DiffConfig()).pending(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d new change events.\n", n)
	return nil
}
