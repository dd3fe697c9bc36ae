package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/rivalwatch/rivalwatch/reports"
)

func runReport(ctx context.Context, e env, args []string) error {
	var c commonFlags
	fs := newFlagSet("report", "report [--date YYYY-MM-DD] [--format html|md|json] [--out FILE]", e.stderr, &c)
	date := fs.String("date", "", "the UTC day to report (default: today)")
	format := fs.String("format", "html", "html (e-mail safe), md (chat) or json")
	out := fs.String("out", "", "output file (default: rivalwatch-digest-DATE.FORMAT)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	day := e.now().UTC().Truncate(24 * time.Hour)
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
	m, err := openMain(ctx, e, c, readOnly)
	if err != nil {
		return err
	}
	defer m.Close()
	d, err := m.digest(ctx, m.Store, day)
	if err != nil {
		return err
	}
	if *out == "-" {
		return writeDigest(e.stdout, d, *format)
	}
	written, err := reports.Write(d, *format, *out)
	if err != nil {
		return err
	}
	for _, f := range written {
		fmt.Fprintln(e.stdout, "wrote", f)
	}
	return nil
}

// writeDigest prints a digest on stdout; Markdown comes without its
// charts, which need files beside it.
func writeDigest(w io.Writer, d reports.Digest, format string) error {
	switch format {
	case "html":
		return reports.RenderHTML(w, d)
	case "json":
		return reports.RenderJSON(w, d)
	}
	return reports.RenderMarkdown(w, d, nil)
}
