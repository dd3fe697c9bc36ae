package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors/exchangetest"
)

// TestAbsurdAnswersAreNoChanges: impossible numbers and wrong JSON types
// in one instrument fail the pull as implausible or malformed, naming the
// field and symbol; nothing is compared, and the good answer after them
// brings no event either.
func TestAbsurdAnswersAreNoChanges(t *testing.T) {
	tests := []struct {
		name, field string
		value       any
		kind, text  string
	}{
		{"negative leverage", "lever", "-10", "implausible", "max_leverage -10"},
		{"astronomic leverage", "lever", "1e308", "implausible", "max_leverage 1e+308"},
		{"negative tick", "tickSz", "-0.1", "implausible", "tick_size -0.1"},
		{"symbol as a number", "instId", 12345, "malformed", "instId: a number where text belongs"},
		{"tick as an object", "tickSz", map[string]any{"v": 1}, "malformed", "not a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			world := exchangetest.Generate(9, time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC), 20, 20, 20)
			sim := exchangetest.Handler(world, exchangetest.Options{})
			var broken atomic.Bool
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !broken.Load() || r.URL.Path != "/api/v5/public/instruments" {
					sim.ServeHTTP(w, r)
					return
				}
				rec := httptest.NewRecorder()
				sim.ServeHTTP(rec, r)
				var env map[string]any
				json.Unmarshal(rec.Body.Bytes(), &env)
				env["data"].([]any)[0].(map[string]any)[tt.field] = tt.value
				json.NewEncoder(w).Encode(env)
			}))
			defer srv.Close()
			cfg := writeConfig(t, t.TempDir(), srv.URL, "")
			pull := []string{"collect", "--config", cfg, "--exchange", "okx", "--kind", "instruments"}
			mustRW(t, pull...)
			broken.Store(true)
			if out, err := rw(t, pull...); err == nil {
				t.Fatalf("collect must fail:\n%s", out)
			}
			rows := csvRows(t, mustRW(t, "sql", "--config", cfg, "--format", "csv",
				"SELECT status, error_kind, error FROM runs ORDER BY id DESC LIMIT 1"))
			if got := rows[1]; got[0] != "failed" || got[1] != tt.kind || !strings.Contains(got[2], tt.text) {
				t.Errorf("last run = %q, want failed/%s naming %q", got, tt.kind, tt.text)
			}
			broken.Store(false)
			mustRW(t, pull...)
			if n := csvRows(t, mustRW(t, "sql", "--config", cfg, "--format", "csv", "SELECT COUNT(*) FROM changes")); n[1][0] != "0" {
				t.Errorf("%s change events around an absurd answer", n[1][0])
			}
		})
	}
}
