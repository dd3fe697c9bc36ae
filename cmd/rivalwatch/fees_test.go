package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors/exchangetest"
)

// feeConfig is the fees section of a test config: one page per exchange
// named, at base, in the simulated exchanges' layout.
func feeConfig(base string, pages map[string]string, render string) string {
	var b strings.Builder
	b.WriteString("collect: {kinds: [fees]}\nfees:\n  use_builtin_pages: false\n  pages:\n")
	for _, ex := range exchangeNames {
		path, ok := pages[ex]
		if !ok {
			continue
		}
		fmt.Fprintf(&b, "    - {exchange: %s, product: usdm, url: %q, selector: table.fees, render: %q,\n", ex, base+path, render)
		b.WriteString("       columns: {tier: Tier, volume_30d: 30d Volume, balance: Balance, maker: Maker, taker: Taker}}\n")
	}
	return b.String()
}

// TestFeePageLayoutChange: a fee page that changes its layout gives an
// incomplete run with its reason, no fee event, and the last complete
// schedule stays in fees_latest.
func TestFeePageLayoutChange(t *testing.T) {
	layouts := []struct {
		name, page, reason string
	}{
		{"columns renamed", `<table class="fees"><tr><th>Level</th><th>30d Volume</th><th>Balance</th><th>Maker / Taker</th></tr>
<tr><td>VIP0</td><td>-</td><td>-</td><td>0.0200% / 0.0450%</td></tr></table>`, `no column headed \"Tier\" for the tier`},
		{"table built by script now", `<div id="fees"></div><script>/* builds the table */</script>`, `no fee table matches \"table.fees\"`},
		{"a tier missing", `<table class="fees"><tr><th>Tier</th><th>30d Volume</th><th>Balance</th><th>Maker</th><th>Taker</th></tr>
<tr><td></td><td>-</td><td>-</td><td>0.0200%</td><td>0.0450%</td></tr></table>`, "row 1: the tier cell is empty"},
		{"a percentage that does not parse", `<table class="fees"><tr><th>Tier</th><th>30d Volume</th><th>Balance</th><th>Maker</th><th>Taker</th></tr>
<tr><td>VIP0</td><td>-</td><td>-</td><td>0.0200%</td><td>0,045 %</td></tr></table>`, `row 1 (VIP0), taker: \"0,045 %\" is not a percentage`},
	}
	for _, tt := range layouts {
		t.Run(tt.name, func(t *testing.T) {
			world := exchangetest.Generate(3, time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC), 10, 10, 10)
			changed := false
			srv := httptest.NewServer(faulty(world, func(w http.ResponseWriter, r *http.Request) bool {
				if !changed || r.URL.Path != exchangetest.FeePagePath("bybit") {
					return false
				}
				w.Header().Set("Content-Type", "text/html")
				io.WriteString(w, "<html><body>"+tt.page+"</body></html>")
				return true
			}))
			defer srv.Close()
			dir := t.TempDir()
			cfg := writeConfig(t, dir, srv.URL, feeConfig(srv.URL, map[string]string{
				"binance": exchangetest.FeePagePath("binance"), "bybit": exchangetest.FeePagePath("bybit"),
				"okx": exchangetest.FeePagePath("okx")}, ""))
			mustRW(t, "collect", "--config", cfg)

			changed = true
			world.OKXFees.Tiers[0].Taker = 0.00045 // OKX's change is real and reported
			out, err := rw(t, "collect", "--config", cfg)
			if err == nil || !strings.Contains(err.Error(), "1 of 3 pulls failed") {
				t.Fatalf("want the bybit fees pull to fail, got %v\n%s", err, out)
			}
			runs := mustRW(t, "sql", "--config", cfg, "--format", "json",
				"SELECT exchange, status, error_kind, error FROM runs WHERE kind = 'fees' AND exchange = 'bybit' ORDER BY id DESC LIMIT 1")
			for _, want := range []string{`"exchange": "bybit"`, `"status": "failed"`, `"error_kind": "malformed"`, "bybit usdm fee page", tt.reason} {
				if !strings.Contains(runs, want) {
					t.Errorf("runs lack %s:\n%s", want, runs)
				}
			}
			changes := mustRW(t, "sql", "--config", cfg, "--format", "csv", "SELECT exchange, type, field FROM changes")
			if strings.Contains(changes, "bybit") || !strings.Contains(changes, "okx,fee.tier,USDⓈ-M VIP0 taker") {
				t.Errorf("want okx's fee change and nothing from bybit:\n%s", changes)
			}
			latest := mustRW(t, "sql", "--config", cfg, "--format", "csv",
				"SELECT tier, taker_rate FROM fees_latest WHERE exchange = 'bybit' ORDER BY tier")
			if !strings.Contains(latest, "VIP0,0.00055") || !strings.Contains(latest, "VIP2,") {
				t.Errorf("fees_latest must keep bybit's last complete schedule:\n%s", latest)
			}
		})
	}
}

// TestFeePageRenderedByBrowser renders a local page whose fee table only
// exists after its script runs, and reads it through the fees kind.
func TestFeePageRenderedByBrowser(t *testing.T) {
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Skip("chromium not installed (apt-get install -y chromium; .ci/run installs it): the browser fee page is not tested")
	}
	world := exchangetest.Generate(3, time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC), 10, 10, 10)
	srv := httptest.NewServer(exchangetest.Handler(world, exchangetest.Options{}))
	defer srv.Close()
	dir := t.TempDir()
	script := map[string]string{"binance": exchangetest.FeeScriptPagePath("binance")}
	plain := writeConfig(t, dir, srv.URL, feeConfig(srv.URL, script, ""))
	if out, err := rw(t, "collect", "--config", plain, "--exchange", "binance"); err == nil || !strings.Contains(out, "no fee table matches") {
		t.Fatalf("without rendering the table is not there; got %v\n%s", err, out)
	}
	rendered := writeConfig(t, dir, srv.URL, feeConfig(srv.URL, script, "browser"))
	mustRW(t, "collect", "--config", rendered, "--exchange", "binance")
	got := mustRW(t, "sql", "--config", rendered, "--format", "csv",
		"SELECT tier, maker_rate, taker_rate, min_30d_volume_usd, source FROM fees_latest ORDER BY tier")
	for _, want := range []string{"VIP0,0.0002,0.0005,0,page", "VIP1,0.00016,0.00045,15000000,page", "VIP2,"} {
		if !strings.Contains(got, want) {
			t.Errorf("fees_latest lacks %q:\n%s", want, got)
		}
	}
}

// TestCredentialsNeverLeak records and collects with read-only keys set
// (one exchange echoing the key in a refusal, as Bybit's "error sign!"
// does) and searches everything written for them.
func TestCredentialsNeverLeak(t *testing.T) {
	secrets := map[string]string{
		"RW_BINANCE_KEY": "binKEY5f3a9c", "RW_BINANCE_SECRET": "binSECRET77d1e0",
		"RW_BYBIT_KEY": "bybKEY0c4e21", "RW_BYBIT_SECRET": "bybSECRET93ab7f",
		"RW_OKX_KEY": "okxKEY6d2b88", "RW_OKX_SECRET": "okxSECRET1e5f04", "RW_OKX_PASS": "okxPASS4a7c19",
	}
	for k, v := range secrets {
		t.Setenv(k, v)
	}
	world := exchangetest.Generate(3, time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC), 10, 10, 10)
	world.BybitFees.Promos = map[string][2]float64{"SOLUSDT": {0, 0}}
	refuse := false
	srv := httptest.NewServer(faulty(world, func(w http.ResponseWriter, r *http.Request) bool {
		if !refuse || r.URL.Path != "/api/v5/account/trade-fee" {
			return false
		}
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"code":"50113","msg":"Invalid Sign for key %s passphrase %s"}`,
			r.Header.Get("OK-ACCESS-KEY"), r.Header.Get("OK-ACCESS-PASSPHRASE"))
		return true
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfgPath := writeConfig(t, dir, srv.URL, feeConfig(srv.URL, map[string]string{
		"binance": exchangetest.FeePagePath("binance"), "bybit": exchangetest.FeePagePath("bybit"), "okx": exchangetest.FeePagePath("okx")}, ""))
	for ex, creds := range map[string]string{
		"binance": "credentials: {key_env: RW_BINANCE_KEY, secret_env: RW_BINANCE_SECRET}, ",
		"bybit":   "credentials: {key_env: RW_BYBIT_KEY, secret_env: RW_BYBIT_SECRET}, ",
		"okx":     "credentials: {key_env: RW_OKX_KEY, secret_env: RW_OKX_SECRET, passphrase_env: RW_OKX_PASS}, ",
	} {
		replaceInFile(t, cfgPath, "  "+ex+": {", "  "+ex+": {"+creds)
	}

	var logs strings.Builder
	out := mustRW(t, "record", "--config", cfgPath, "--out", filepath.Join(dir, "cassette"))
	logs.WriteString(out)
	out = mustRW(t, "collect", "--config", cfgPath)
	logs.WriteString(out)
	api := mustRW(t, "sql", "--config", cfgPath, "--format", "csv",
		"SELECT exchange, tier, symbol, taker_rate FROM fees_latest WHERE source = 'api' AND symbol LIKE 'SOL%'")
	if !strings.Contains(api, "bybit,account,SOLUSDT,0") || !strings.Contains(api, "binance,VIP0,SOLUSDT,0.0005") {
		t.Errorf("the account rows were not read:\n%s", api)
	}
	refuse = true
	out, err := rw(t, "collect", "--config", cfgPath)
	logs.WriteString(out)
	if err == nil || !strings.Contains(out, "Invalid Sign for key [redacted] passphrase [redacted]") {
		t.Errorf("want OKX's refusal reported, got %v\n%s", err, out)
	}
	if err != nil {
		logs.WriteString(err.Error())
	}

	var written []string
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			written = append(written, p)
		}
		return nil
	})
	for _, secret := range secrets {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("a credential is in the command output:\n%s", logs.String())
		}
		for _, p := range written {
			if p == cfgPath {
				continue
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), secret) {
				t.Errorf("a credential is in %s", p)
			}
		}
	}
	if len(written) < 5 {
		t.Errorf("only %d files written, want the cassette and the database: %v", len(written), written)
	}
}
