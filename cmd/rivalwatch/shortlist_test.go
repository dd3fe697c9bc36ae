package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors/exchangetest"
)

// TestShortListIsNoMassDelisting: OKX answers exactly half of its
// instruments (the min_count_ratio boundary) for several sweeps while its
// funding still lists them all. No listing.delisted may come out, and no
// listing.new when the full list returns.
func TestShortListIsNoMassDelisting(t *testing.T) {
	world := exchangetest.Generate(9, time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC), 20, 20, 20)
	var short atomic.Bool
	sim := exchangetest.Handler(world, exchangetest.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !short.Load() || r.URL.Path != "/api/v5/public/instruments" {
			sim.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, r)
		var env struct {
			Code string            `json:"code"`
			Msg  string            `json:"msg"`
			Data []json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
			t.Error(err)
		}
		env.Data = env.Data[:len(env.Data)/2]
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(env)
	}))
	defer srv.Close()
	cfg := writeConfig(t, t.TempDir(), srv.URL, "")
	sweep := []string{"collect", "--config", cfg, "--exchange", "okx"}
	mustRW(t, sweep...)
	short.Store(true)
	for range 4 {
		rw(t, sweep...) // the market pull fails: a ticker has no instrument
	}
	short.Store(false)
	mustRW(t, sweep...)
	rows := csvRows(t, mustRW(t, "sql", "--config", cfg, "--format", "csv",
		"SELECT COUNT(*) FROM changes WHERE type IN ('listing.delisted', 'listing.new')"))
	if rows[1][0] != "0" {
		t.Errorf("%s false listing events from a short instruments answer:\n%s", rows[1][0],
			mustRW(t, "changes", "--config", cfg, "--since", "30d"))
	}
}
