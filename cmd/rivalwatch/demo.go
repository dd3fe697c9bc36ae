package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/rivalwatch/rivalwatch/cmd/rivalwatch/internal/pipeline"
	"github.com/rivalwatch/rivalwatch/collectors/replay"
	"github.com/rivalwatch/rivalwatch/configs"
	"github.com/rivalwatch/rivalwatch/reports"
	"github.com/rivalwatch/rivalwatch/store"
)

// demoData holds two recorded "days" of the three exchanges, written by
// the project (see demodata_test.go), with real-looking changes between them.
//
//go:embed demodata
var demoData embed.FS

var demoRounds = []struct {
	dir   string
	label string
	ago   time.Duration
}{
	{"demodata/round1", "Round 1 (yesterday)", 24 * time.Hour},
	{"demodata/round2", "Round 2 (today)", 0},
}

func runDemo(ctx context.Context, e env, args []string) error {
	var c commonFlags
	fs := newFlagSet("demo", "demo [--dir DIR] [--serve [--listen ADDR] [--switch-after 1m] [--every 10s]]", e.stderr, &c)
	dir := fs.String("dir", ".", "folder for the demo database and digests")
	serveDemo := fs.Bool("serve", false, "run serve on the recordings: day one, then day two after --switch-after")
	var so demoServeOptions
	fs.StringVar(&so.listen, "listen", "", "with --serve: address of the status page (default: the config's serve.listen)")
	fs.DurationVar(&so.switchAfter, "switch-after", time.Minute, "with --serve: when the recording moves to day two")
	fs.DurationVar(&so.every, "every", 10*time.Second, "with --serve: how often each exchange and kind is pulled")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	cfg, err := configs.LoadEmbedded("demo.yaml")
	if c.config != "" {
		cfg, err = configs.Load(c.config)
	}
	if err != nil {
		return err
	}
	if c.db != "" {
		// The demo starts its database afresh: it must never be pointed
		// at a file it did not create.
		return fmt.Errorf("%w: demo writes its own database in --dir; it takes no --db", errUsage)
	}
	cfg.Database = filepath.Join(*dir, "rivalwatch-demo.db")
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	if err := isDemoDatabase(ctx, cfg.Database); err != nil {
		return err
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(cfg.Database + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove the previous demo database: %w", err)
		}
	}

	if *serveDemo {
		return demoServe(ctx, e, cfg, *dir, so)
	}
	today := e.now().UTC()
	roundTime := today
	round := e
	round.now = func() time.Time { return roundTime }
	m, err := startMain(ctx, round, cfg, writable)
	if err != nil {
		return err
	}
	defer m.Close()
	st := m.Store
	detector := m.detector()

	fmt.Fprintln(e.stdout, "rivalwatch demo: two recorded days of Binance, Bybit and OKX, served on this machine (no internet).")
	for _, round := range demoRounds {
		roundTime = today.Add(-round.ago)
		results, err := demoRound(ctx, st, cfg, round.dir, m.now)
		if err != nil {
			return err
		}
		detector.Remember(results)
		events, err := detector.Pending(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "\n%s, %s:\n", round.label, roundTime.Format("2006-01-02 15:04 MST"))
		printSweep(e.stdout, results)
		fmt.Fprintf(e.stdout, "%d change events\n", events)
	}

	ro, err := store.OpenReadOnly(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer ro.Close()
	d, err := m.digest(ctx, ro, today.Truncate(24*time.Hour))
	if err != nil {
		return err
	}
	var written []string
	for _, format := range []string{"html", "md"} {
		files, err := reports.Write(d, format, filepath.Join(*dir, "rivalwatch-demo-digest."+format))
		if err != nil {
			return err
		}
		written = append(written, files...)
	}
	printDemoSummary(e.stdout, d, cfg.Database, written)
	return nil
}

// isDemoDatabase returns an error unless path is absent or a rivalwatch
// database the demo may start afresh: the demo deletes nothing else.
func isDemoDatabase(ctx context.Context, path string) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	st, err := store.OpenReadOnly(ctx, path)
	if err != nil {
		return fmt.Errorf("%s exists and is not a rivalwatch demo database; not touching it (choose another --dir): %w", path, err)
	}
	return st.Close()
}

// demoRound serves one recorded day on a loopback port, points the
// collectors at it and stores one sweep.
func demoRound(ctx context.Context, st *store.Store, cfg configs.Config, dir string, now func() time.Time) ([]pipeline.Result, error) {
	cas, err := replay.Load(demoData, dir)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo server: %w", err)
	}
	srv := &http.Server{Handler: cas.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	pointAt(&cfg, "http://"+ln.Addr().String())
	cs, err := buildCollectors(cfg, "", nil, st)
	if err != nil {
		return nil, err
	}
	return pipeline.Collect(ctx, st, cs, cfg.Kinds(), now), nil
}

// printDemoSummary tells a first-time user what happened and where to look.
func printDemoSummary(w io.Writer, d reports.Digest, db string, written []string) {
	fmt.Fprintf(w, "\nWhat matters today (%s):\n", d.Date)
	for i, e := range d.Headline {
		fmt.Fprintf(w, "  %d. %s\n", i+1, e.Summary)
	}
	if len(d.Suggestions) > 0 {
		fmt.Fprintf(w, "%d suggested countermeasures are in the digest.\n", len(d.Suggestions))
	}
	fmt.Fprintln(w, "\nDigest:")
	for _, f := range written {
		fmt.Fprintln(w, "  "+f)
	}
	fmt.Fprintf(w, "Database: %s\n", db)
	fmt.Fprintf(w, "Next: rivalwatch sql --db %s --schema\n", db)
}
