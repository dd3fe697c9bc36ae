package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/exchangetest"
	"github.com/rivalwatch/rivalwatch/collectors/stream/streamtest"
)

// TestStreamCommand streams OKX's funding from a local websocket server
// into funding_history, then stops on Ctrl-C and says what it stored.
func TestStreamCommand(t *testing.T) {
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	fixClock(t, now)
	world := exchangetest.Generate(5, now, 0, 0, 4)
	srv := httptest.NewServer(exchangetest.Handler(world, exchangetest.Options{}))
	defer srv.Close()
	ws := streamtest.NewServer(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "rw.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`database: %s
http: {timeout: 2s, retries: 0}
exchanges:
  okx: {rest: {v5: %s}, websocket: {public: %s}}
streams: {enabled: true, resolution: 1m}
`, filepath.Join(dir, "rw.db"), srv.URL, ws.URL)), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRW(t, "collect", "--config", cfg, "--exchange", "okx", "--kind", "instruments")
	mustRW(t, "collect", "--config", cfg, "--exchange", "okx", "--kind", "funding")

	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, testEnv(t, &out, &out), []string{"stream", "--exchange", "okx", "--config", cfg})
	}()
	c := ws.Accept(t)
	c.Expect(t, "BTC-USDT-SWAP")
	at := now.Add(-3 * time.Minute)
	c.Send(fmt.Sprintf(`{"arg":{"channel":"funding-rate","instId":"BTC-USDT-SWAP"},"data":[{"fundingRate":"0.0002",
"fundingTime":"%d","instId":"BTC-USDT-SWAP","instType":"SWAP","maxFundingRate":"0.015","minFundingRate":"-0.015",
"nextFundingTime":"%d","prevFundingTime":"%d","ts":"%d"}]}`, now.Add(8*time.Hour).UnixMilli(), now.Add(16*time.Hour).UnixMilli(),
		now.UnixMilli(), at.UnixMilli()))
	deadline := time.Now().Add(streamtest.Wait)
	for !strings.Contains(mustRW(t, "sql", "--config", cfg, "--format", "csv",
		"SELECT COUNT(*) AS n FROM funding_history WHERE origin = 'stream'"), "n\n1\n") {
		if time.Now().After(deadline) {
			t.Fatalf("no stream sample stored within %s", streamtest.Wait)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "okx      funding-rate: 1 samples stored") {
		t.Errorf("summary:\n%s", out.String())
	}
}

func TestStreamSymbols(t *testing.T) {
	insts := []collectors.Instrument{
		{Symbol: "BTCUSDT", Margin: collectors.Linear, ContractType: collectors.Perpetual, Status: collectors.StatusTrading},
		{Symbol: "BTCUSD", Margin: collectors.Inverse, ContractType: collectors.Perpetual, Status: collectors.StatusTrading},
		{Symbol: "BTCUSDT-26DEC26", Margin: collectors.Linear, ContractType: collectors.Delivery, Status: collectors.StatusTrading},
		{Symbol: "NEWUSDT", Margin: collectors.Linear, ContractType: collectors.Perpetual, Status: collectors.StatusPrelaunch},
	}
	if got := fmt.Sprint(linearPerpetuals(insts)); got != "[BTCUSDT]" {
		t.Errorf("bybit linear: %s", got)
	}
	if got := fmt.Sprint(perpetuals(insts)); got != "[BTCUSDT BTCUSD]" {
		t.Errorf("okx swaps: %s", got)
	}
}

func TestCompactCommand(t *testing.T) {
	day0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	fixClock(t, day0)
	world := exchangetest.Generate(5, day0, 0, 4, 0)
	srv := httptest.NewServer(exchangetest.Handler(world, exchangetest.Options{}))
	defer srv.Close()
	cfg := writeConfig(t, t.TempDir(), srv.URL, "")
	for i := range 3 {
		fixClock(t, day0.Add(time.Duration(i)*5*time.Minute))
		for j := range world.Bybit {
			world.Bybit[j].FundingRate += 1e-6
		}
		mustRW(t, "collect", "--config", cfg, "--exchange", "bybit", "--kind", "funding")
	}
	fixClock(t, day0.AddDate(0, 0, 20))
	out := mustRW(t, "compact", "--config", cfg)
	if !strings.Contains(out, "moved 12 funding rows of earlier sweeps") || !strings.Contains(out, "compacted 1 day(s) older than 2026-11-07") {
		t.Errorf("compact said:\n%s", out)
	}
	hist := mustRW(t, "sql", "--config", cfg, "--format", "csv",
		"SELECT COUNT(DISTINCT snapshot_id) AS sweeps, COUNT(*) / COUNT(DISTINCT symbol) AS per_symbol FROM funding_history WHERE exchange = 'bybit'")
	if hist != "sweeps,per_symbol\n2,2\n" { // the hour's last of the first two sweeps, and the newest untouched
		t.Errorf("after compaction:\n%s", hist)
	}
}
