package configs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestBuiltInFilesLoad(t *testing.T) {
	for _, name := range []string{"rivalwatch.yaml", "demo.yaml"} {
		cfg, err := LoadEmbedded(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(cfg.Playbook.Rules) == 0 {
			t.Errorf("%s: the built-in playbook has no rules", name)
		}
		if len(cfg.House.Symbols) == 0 {
			t.Errorf("%s: no house symbols", name)
		}
	}
	// The example on disk is the embedded one.
	cfg, err := Load("rivalwatch.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Exchanges.Binance.REST.USDM != "https://fapi.binance.com" || cfg.HTTP.Timeout != 15*time.Second {
		t.Errorf("example config: %+v", cfg.Exchanges.Binance.REST)
	}
}

// The demo runs offline: every address it names is the local demo server.
func TestDemoPointsAtTheDemoServer(t *testing.T) {
	cfg, err := LoadEmbedded("demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ex := cfg.Exchanges
	urls := []string{ex.Binance.REST.USDM, ex.Binance.REST.COINM, ex.Binance.REST.Web, ex.Binance.Websocket.USDM,
		ex.Bybit.REST.V5, ex.Bybit.Websocket.Linear, ex.Bybit.Websocket.Inverse, ex.OKX.REST.V5, ex.OKX.Websocket.Public}
	for _, p := range cfg.Fees.Pages {
		urls = append(urls, p.URL)
	}
	for _, u := range urls {
		if !strings.HasPrefix(u, "http://127.0.0.1:8900") && !strings.HasPrefix(u, "ws://127.0.0.1:8900") {
			t.Errorf("demo.yaml names %s, not the demo server", u)
		}
	}
	if len(cfg.Fees.Pages) == 0 || cfg.Fees.UseBuiltinPages {
		t.Errorf("demo.yaml should read its fee pages from the demo server only: %+v", cfg.Fees)
	}
	if len(cfg.Alerts.Webhooks) != 0 {
		t.Errorf("demo.yaml sends alerts: %+v", cfg.Alerts.Webhooks)
	}
}

func TestEmptyFileKeepsDefaults(t *testing.T) {
	cfg, err := Parse("empty.yaml", []byte("# nothing\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Database != "rivalwatch.db" || cfg.Exchanges.OKX.REST.V5 != "https://www.okx.com" || cfg.Diff.DelistAfter != 2 {
		t.Errorf("defaults lost: %+v", cfg)
	}
}

func TestPlaybookFileIsRelativeToConfig(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "rw.yaml"), []byte("playbook: rules.yaml\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "rules.yaml"), []byte("rules:\n  - name: x\n    type: listing.new\n    suggest: hi\n    colour: red\n"), 0o644)
	_, err := Load(filepath.Join(dir, "rw.yaml"))
	if err == nil || !strings.Contains(err.Error(), `rules.yaml: line 5: unknown key "rules[0].colour"`) {
		t.Fatalf("want the playbook's unknown key with its line, got %v", err)
	}
}

func TestDiffConversion(t *testing.T) {
	cfg, err := Parse("x.yaml", []byte("diff:\n  delist_after: 3\n  severities: {listing.param: high}\n  ignore: [{exchange: bybit, symbol: '*PERP'}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.DiffConfig()
	if d.DelistAfter != 3 || d.Severities["listing.param"] != "high" || len(d.Ignore) != 1 || d.Ignore[0].Symbol != "*PERP" {
		t.Errorf("diff config: %+v", d)
	}
}

// BenchmarkLoadExample measures a whole load of the shipped example:
// strict walk, decode, validation and the built-in playbook.
func BenchmarkLoadExample(b *testing.B) {
	for b.Loop() {
		if _, err := LoadEmbedded("rivalwatch.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestStaleAfterFollowsTheSchedules(t *testing.T) {
	cfg := Default()
	kinds := []string{"instruments", "funding", "market"}
	exchanges := []string{"binance", "bybit", "okx"}
	// Every 5 min: two missed runs are 10 min, below the 2 h floor.
	if got := cfg.Schedule.StaleAfter(exchanges, kinds, 2*time.Hour); got != 2*time.Hour {
		t.Errorf("default schedules: %s, want the 2 h floor", got)
	}
	cfg.Schedule.Exchanges = map[string]Jobs{"okx": {Funding: "0 */6 * * *"}}
	if got := cfg.Schedule.StaleAfter(exchanges, kinds, 2*time.Hour); got != 12*time.Hour {
		t.Errorf("okx funding every 6 h: %s, want 12 h", got)
	}
	cfg.Schedule.Exchanges = map[string]Jobs{"okx": {Funding: Off}}
	if got := cfg.Schedule.StaleAfter(exchanges, kinds, time.Minute); got != 10*time.Minute {
		t.Errorf("a job that is off: %s, want two 5-minute runs", got)
	}
}
