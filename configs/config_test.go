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

func TestEmptyFileKeepsDefaults(t *testing.T) {
	cfg, err := Parse("empty.yaml", []byte("# nothing\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Database != "rivalwatch.db" || cfg.Exchanges.OKX.REST.V5 != "https://www.okx.com" || cfg.Diff.DelistAfter != 2 {
		t.Errorf("defaults lost: %+v", cfg)
	}
}

func TestBadConfigsNameKeyAndLine(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // every one must appear in the error
	}{
		{"unknown keys are all reported", "database: x.db\nhttp:\n  timeout: 5s\n  timout: 5s\nexchanges:\n  binance:\n    rest:\n      usdm2: https://x\n",
			[]string{`line 4: unknown key "http.timout"`, `line 8: unknown key "exchanges.binance.rest.usdm2"`}},
		{"wrong types name the key", "http:\n  timeout: soon\n  retries: many\n",
			[]string{`line 2: http.timeout: "soon" is not a duration`, `line 3: http.retries: "many" is not a whole number`}},
		{"bad values are all reported", "http:\n  timeout: -1s\ncollect:\n  kinds: [instruments, prices]\n  min_count_ratio: 2\nexchanges:\n  okx:\n    rest:\n      v5: ftp://www.okx.com\n",
			[]string{"http.timeout: must be positive", `collect.kinds[1]: unknown kind "prices"`, "collect.min_count_ratio: must be above 0", `exchanges.okx.rest.v5: must be a http or https URL, got "ftp://www.okx.com"`}},
		{"diff section", "diff:\n  spike_factor: 1\n  severities: {listing.new: urgent, fees.cut: high}\n  ignore:\n    - {}\n    - {symbol: '[BTC'}\n",
			[]string{`diff.severities.listing.new: must be high, medium or low, got "urgent"`, "diff.severities.fees.cut: unknown change type",
				"diff.ignore[0]: matches everything", `diff.ignore[1].symbol: bad pattern "[BTC"`, "diff.spike_factor: must be above 1"}},
		{"broken yaml", "http:\n  timeout: 5s\n retries: 2\n", []string{"bad.yaml: line 2: did not find expected key"}},
		{"duplicate key", "database: a.db\ndatabase: b.db\n", []string{`line 2: mapping key "database" already defined at line 1`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
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

func TestDBFlagAndDiffConversion(t *testing.T) {
	cfg, err := Parse("x.yaml", []byte("diff:\n  delist_after: 3\n  severities: {listing.param: high}\n  ignore: [{exchange: bybit, symbol: '*PERP'}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.DiffConfig()
	if d.DelistAfter != 3 || d.Severities["listing.param"] != "high" || len(d.Ignore) != 1 || d.Ignore[0].Symbol != "*PERP" {
		t.Errorf("diff config: %+v", d)
	}
}
