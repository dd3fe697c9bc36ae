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
