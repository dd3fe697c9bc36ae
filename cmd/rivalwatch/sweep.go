package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/rivalwatch/rivalwatch/cmd/rivalwatch/internal/pipeline"
)

// printSweep writes one line per exchange and kind.
func printSweep(w io.Writer, results []pipeline.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "EXCHANGE\tKIND\tRESULT\tITEMS\tREQUESTS\tTIME\tDETAIL")
	for _, r := range results {
		s := r.Snap
		status, detail := string(r.Saved.Status), r.Saved.Reason
		switch {
		case r.Err != nil:
			status, detail = "not stored", r.Err.Error()
		case s.Err != nil:
			detail = s.Err.Error()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\n", s.Exchange, s.Kind, status, s.Records.Len(), s.Requests,
			s.Duration.Round(time.Millisecond), detail)
	}
	tw.Flush()
}

// printHolds says which exchanges were skipped for a rate-limit hold:
// "okx: rate-limited until 05:12 UTC, skipped".
func printHolds(w io.Writer, results []pipeline.Result) {
	said := map[string]bool{}
	for _, r := range results {
		if r.Held == nil || said[r.Snap.Exchange] {
			continue
		}
		said[r.Snap.Exchange] = true
		what := "rate-limited"
		if r.Held.ErrorKind == "ip_banned" {
			what = "IP-banned"
		}
		fmt.Fprintf(w, "%s: %s until %s, skipped\n", r.Snap.Exchange, what, r.Held.Until.UTC().Format("15:04 UTC"))
	}
}
