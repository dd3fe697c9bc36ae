package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors/exchangetest"
)

// TestInterruptKeepsWhatAnswered: Ctrl-C while OKX hangs. Binance and
// Bybit had answered: they are stored at once; OKX's pulls are runs rows
// marked interrupted; the command says so plainly.
func TestInterruptKeepsWhatAnswered(t *testing.T) {
	world := exchangetest.Generate(9, time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC), 20, 20, 20)
	sim := exchangetest.Handler(world, exchangetest.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hung := make(chan struct{}, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/v5/") {
			hung <- struct{}{}
			<-r.Context().Done()
			return
		}
		sim.ServeHTTP(w, r)
	}))
	defer srv.Close()
	cfg := writeConfig(t, t.TempDir(), srv.URL, "collect: {kinds: [instruments, funding, market]}\n")
	replaceInFile(t, cfg, "timeout: 2s", "timeout: 1m")
	stored := func() string {
		return mustRW(t, "sql", "--config", cfg, "--format", "csv",
			"SELECT exchange, status, error_kind FROM runs ORDER BY exchange, kind")
	}
	// Cancel once the other exchanges have been stored and OKX hangs.
	go func() {
		<-hung
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if out, err := rw(t, "sql", "--config", cfg, "--format", "csv", "SELECT COUNT(*) FROM runs WHERE exchange != 'okx'"); err == nil && strings.Contains(out, "\n6\n") {
				break
			}
		}
		cancel()
	}()
	var out bytes.Buffer
	err := run(ctx, testEnv(t, &out, &out), []string{"collect", "--config", cfg})
	if err == nil || !strings.Contains(err.Error(), "interrupted: 3 of 9 pulls were stopped") || strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("collect after Ctrl-C: %v\n%s", err, out.String())
	}
	got := stored()
	for _, want := range []string{"binance,new,", "bybit,new,", "okx,failed,interrupted"} {
		if !strings.Contains(got, want) {
			t.Errorf("runs lack %q:\n%s", want, got)
		}
	}
}
