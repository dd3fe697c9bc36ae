package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/replay"
)

func runRecord(ctx context.Context, e env, args []string) error {
	var c commonFlags
	fs := newFlagSet("record", "record --out DIR [--exchange X]", e.stderr, &c)
	out := fs.String("out", "", "cassette directory to write (required)")
	exchange := fs.String("exchange", "", "record only this exchange")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: record needs --out DIR", errUsage)
	}
	cfg, err := loadConfig(c)
	if err != nil {
		return err
	}
	rec := replay.NewRecorder(collectors.NewBaseTransport())
	cs, err := buildCollectors(cfg, *exchange, &transportHooks{base: func() http.RoundTripper { return rec }}, nil)
	if err != nil {
		return err
	}
	// Recording keeps every answer in memory and stores nothing in the
	// database: a cassette is a copy of what the exchanges said.
	failed := 0
	for _, snap := range collectors.Sweep(ctx, cs, cfg.Kinds(), e.now, nil) {
		status := fmt.Sprintf("%d items", snap.Records.Len())
		if snap.Err != nil {
			failed++
			status = "FAILED: " + snap.Err.Error()
		}
		fmt.Fprintf(e.stdout, "%-8s %-12s %3d requests  %s\n", snap.Exchange, snap.Kind, snap.Requests, status)
	}
	if err := rec.Save(*out); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nSaved %d answers to %s. Serve them with: rivalwatch replay %s\n", rec.Len(), *out, *out)
	if failed > 0 {
		return fmt.Errorf("%d pulls failed; their error answers are in the cassette too", failed)
	}
	return nil
}

func runReplay(ctx context.Context, e env, args []string) error {
	var c commonFlags
	fs := newFlagSet("replay", "replay DIR [--listen 127.0.0.1:8900]", e.stderr, &c)
	listen := fs.String("listen", "127.0.0.1:8900", "address to serve on")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: replay takes one cassette directory", errUsage)
	}
	dir := filepath.Clean(pos[0])
	cas, err := replay.Load(os.DirFS(filepath.Dir(dir)), filepath.Base(dir))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *listen, err)
	}
	srv := &http.Server{Handler: cas.Handler(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(e.stdout, "Serving %d recorded answers from %s on http://%s\n", cas.Len(), dir, ln.Addr())
	fmt.Fprintf(e.stdout, "Point every rest: URL of a config at http://%s (as configs/demo.yaml does). Ctrl-C stops.\n", ln.Addr())
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
