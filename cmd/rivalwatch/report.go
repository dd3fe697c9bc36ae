package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/configs"
	"github.com/rivalwatch/rivalwatch/reports"
	"github.com/rivalwatch/rivalwatch/store"
)

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c commonFlags
	fs := newFlagSet("report", "report [--date YYYY-MM-DD] [--format html|md|json] [--out FILE]", stderr, &c)
	date := fs.String("date", "", "the UTC day to report (default: today)")
	format := fs.String("format", "html", "html (e-mail safe), md (chat) or json")
	out := fs.String("out", "", "output file (default: rivalwatch-digest-DATE.FORMAT)")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	day := clock().UTC().Truncate(24 * time.Hour)
	if *date != "" {
		d, err := time.Parse("2006-01-02", *date)
		if err != nil {
			return fmt.Errorf("%w: --date %q is not YYYY-MM-DD", errUsage, *date)
		}
		day = d
	}
	switch *format {
	case "html", "md", "json":
	default:
		return fmt.Errorf("%w: unknown format %q (want html, md or json)", errUsage, *format)
	}
	if *out == "" {
		*out = fmt.Sprintf("rivalwatch-digest-%s.%s", day.Format("2006-01-02"), *format)
	}
	cfg, err := loadConfig(c)
	if err != nil {
		return err
	}
	st, err := store.OpenReadOnly(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer st.Close()
	d, err := buildDigest(ctx, st, cfg, day)
	if err != nil {
		return err
	}
	written, err := reports.Write(d, *format, *out)
	if err != nil {
		return err
	}
	for _, f := range written {
		fmt.Fprintln(stdout, "wrote", f)
	}
	return nil
}

// buildDigest gathers one UTC day's events and the market picture at the
// end of that day.
func buildDigest(ctx context.Context, st *store.Store, cfg configs.Config, day time.Time) (reports.Digest, error) {
	end := day.Add(24 * time.Hour)
	changes, err := st.Changes(ctx, day, end)
	if err != nil {
		return reports.Digest{}, err
	}
	in := reports.Input{Date: day, GeneratedAt: clock().UTC(), Changes: changes, House: cfg.House, Playbook: cfg.Playbook}
	for _, ex := range exchangeNames {
		for _, kind := range []collectors.Kind{collectors.KindFunding, collectors.KindMarket} {
			refs, err := st.CompleteRuns(ctx, ex, kind, end, 1)
			if err != nil {
				return reports.Digest{}, err
			}
			if len(refs) == 0 {
				continue
			}
			recs, err := st.Records(ctx, refs[0].SnapshotID)
			if err != nil {
				return reports.Digest{}, err
			}
			in.Funding = append(in.Funding, recs.Funding...)
			in.Market = append(in.Market, recs.Market...)
		}
	}
	fresh, err := st.Freshness(ctx)
	if err != nil {
		return reports.Digest{}, err
	}
	for _, f := range fresh {
		in.Freshness = append(in.Freshness, reports.Freshness{Exchange: f.Exchange, Kind: string(f.Kind),
			LastComplete: f.LastComplete, LastRun: f.LastRun, FailuresSince: f.FailuresSince, LastError: f.LastError})
	}
	return reports.Build(in), nil
}
