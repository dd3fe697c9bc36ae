package main

import (
	"context"
	"fmt"

	"github.com/rivalwatch/rivalwatch/store"
)

// runCompact reduces raw funding and market observations older than
// retention.raw to hourly rows plus every settled funding rate.
func runCompact(ctx context.Context, e env, args []string) error {
	var c commonFlags
	fs := newFlagSet("compact", "compact", e.stderr, &c)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	m, err := openMain(ctx, e, c, existing)
	if err != nil {
		return err
	}
	defer m.Close()
	got, err := m.compact(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "moved %d funding rows of earlier sweeps into the history table\n", got.Folded)
	fmt.Fprintf(e.stdout, "compacted %d day(s) older than %s: %d rows examined, %d kept (hourly and settled rates)\n",
		got.Days, m.now().Add(-m.Config.Retention.Raw).UTC().Format("2006-01-02"), got.RowsBefore, got.RowsKept)
	return nil
}

// compact is the retention job: the daemon runs it at schedule.retention.
func (m *Main) compact(ctx context.Context) (store.Compacted, error) {
	return m.Store.Compact(ctx, m.now().Add(-m.Config.Retention.Raw))
}
