package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

const classifyRules = "../../configs/classify.yaml"

// TestClassifyCommand feeds JSON Lines and checks one answer per line in
// input order: a perp launch from a flattened table, a bad line that still
// gets an error line with its id, --exchange filling a missing exchange,
// a body longer than a default Scanner's 64 KB line, and a bad time.
func TestClassifyCommand(t *testing.T) {
	long := strings.Repeat("Details follow. ", 6000) // about 96 KB
	input := strings.Join([]string{
		`{"id":"a1","exchange":"binance","title":"Binance Futures Will Launch USDⓈ-Margined AVNTUSDT Perpetual Contract","body":"Launch Time2026-01-08 15:00 (UTC)Maximum Leverage50xFunding Fee Settlement FrequencyEvery Four Hours","published_at":"2026-01-08T10:00:00Z"}`,
		`{"id":"a2","title": broken`,
		``,
		`{"id":7,"title":"WILD Trading Competition: Share $1.2M Worth of Rewards","body":"Promotion Period: 2026-01-08 to 2026-01-15"}`,
		`{"id":"a4","title":"Binance Will List Foo (FOO)","body":"` + long + `"}`,
		`{"id":"a5","title":"x","published_at":"yesterday"}`,
		`not json at all`,
	}, "\n")
	var out, errOut bytes.Buffer
	if err := runClassify(context.Background(), newEnv(strings.NewReader(input), &out, &errOut, time.Now), []string{"--rules", classifyRules, "--exchange", "bybit"}); err != nil {
		t.Fatalf("classify: %v\n%s", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	want := []string{
		`{"id":"a1","category":"perp_launch","rule":"perp_contract","symbols":["AVNTUSDT"],"reward_pool":null,"starts_at":"2026-01-08T15:00:00Z","ends_at":null,"max_leverage":50,"funding_interval_hours":4}`,
		`{"id":"a2","line":2,"error":"line 2: not valid JSON: invalid character 'b' looking for beginning of value"}`,
		`{"id":7,"category":"trading_competition","rule":"competition_named","symbols":["WILD"],"reward_pool":{"amount":1200000,"currency":"USD"},"starts_at":"2026-01-08","ends_at":"2026-01-15","max_leverage":null,"funding_interval_hours":null}`,
		`{"id":"a4","category":"listing","rule":"listing","symbols":["FOO"],"reward_pool":null,"starts_at":null,"ends_at":null,"max_leverage":null,"funding_interval_hours":null}`,
		`{"id":"a5","line":6,"error":"line 6: published_at \"yesterday\" is not an ISO-8601 time like 2026-01-08T10:00:00Z"}`,
		`{"id":null,"line":7,"error":"line 7: not valid JSON: invalid character 'o' in literal null (expecting 'u')"}`,
	}
	if len(lines) != len(want) {
		t.Fatalf("%d output lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d:\n got  %s\n want %s", i+1, lines[i], want[i])
		}
		if !json.Valid([]byte(lines[i])) {
			t.Errorf("line %d is not JSON: %s", i+1, lines[i])
		}
	}
}

// TestClassifyExchangeFilter checks --exchange reaches rules limited to
// one exchange, through a rules file of the analyst's own.
func TestClassifyExchangeFilter(t *testing.T) {
	dir := t.TempDir()
	rules := dir + "/r.yaml"
	writeRules(t, rules, "rules:\n  - name: vault\n    category: earn\n    exchanges: [okx]\n    title: {any: ['\\bvault\\b']}\n")
	for _, tt := range []struct{ flag, line, want string }{
		{"okx", `{"id":1,"title":"New USDT Vault"}`, `"category":"earn"`},
		{"bybit", `{"id":1,"title":"New USDT Vault"}`, `"category":"other"`},
		{"bybit", `{"id":1,"exchange":"OKX","title":"New USDT Vault"}`, `"category":"earn"`},
	} {
		var out, errOut bytes.Buffer
		if err := runClassify(context.Background(), newEnv(strings.NewReader(tt.line), &out, &errOut, time.Now), []string{"--rules", rules, "--exchange", tt.flag}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), tt.want) {
			t.Errorf("--exchange %s %s: got %s, want %s", tt.flag, tt.line, out.String(), tt.want)
		}
	}
}

// TestClassifyBadInvocations checks mistakes are reported plainly.
func TestClassifyBadInvocations(t *testing.T) {
	dir := t.TempDir()
	bad := dir + "/bad.yaml"
	writeRules(t, bad, "rules:\n  - name: a\n    category: listing\n    title:\n      any: ['(']\n")
	tests := []struct {
		args  []string
		usage bool
		want  string
	}{
		{[]string{"--rules", classifyRules, "--exchange", "kraken"}, true, `--exchange "kraken": want binance, bybit or okx`},
		{[]string{"--rules", classifyRules, "extra"}, true, "takes no arguments"},
		{[]string{"--rules", bad}, false, `bad.yaml line 5: rule "a": title.any: pattern "(" does not compile: missing closing )`},
		{[]string{"--rules", dir + "/missing.yaml"}, false, "no such file"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		err := runClassify(context.Background(), newEnv(strings.NewReader(""), &out, &errOut, time.Now), tt.args)
		if err == nil || !strings.Contains(err.Error(), tt.want) || errors.Is(err, errUsage) != tt.usage {
			t.Errorf("%v: got %v, want %q (usage %v)", tt.args, err, tt.want, tt.usage)
		}
	}
}

func writeRules(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
