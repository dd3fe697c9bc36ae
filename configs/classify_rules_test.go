package configs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rivalwatch/rivalwatch/collectors/classify"
)

// TestClassifyRules: the built-in rules load by default; classify_rules
// names an ops-edited file relative to the config, whose own problems come
// with its name and line; a missing file is the key's problem.
func TestClassifyRules(t *testing.T) {
	cfg, err := LoadEmbedded("rivalwatch.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.ClassifyRules.Classify(classify.Input{Title: "Binance Futures Will Launch USDⓈ-Margined FOOUSDT Perpetual Contract"}); got.Category != classify.PerpLaunch {
		t.Errorf("built-in rules: %+v", got)
	}

	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("ours.yaml", "rules:\n  - name: mega\n    category: trading_competition\n    title: {any: [mega drop]}\n")
	cfg, err = Load(write("good.yaml", "classify_rules: ours.yaml\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.ClassifyRules.Classify(classify.Input{Title: "Mega Drop round 3"}); got.Category != classify.TradingCompetition || got.Rule != "mega" {
		t.Errorf("the config's rules file: %+v", got)
	}

	write("bad-rules.yaml", "rules:\n  - name: x\n    category: nonsense\n    title: {any: [x]}\n")
	_, err = Load(write("bad.yaml", "classify_rules: bad-rules.yaml\n"))
	if err == nil || !strings.Contains(err.Error(), "bad-rules.yaml") || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("a bad rules file: %v", err)
	}
	_, err = Load(write("missing.yaml", "classify_rules: nowhere.yaml\n"))
	if err == nil || !strings.Contains(err.Error(), "classify_rules: cannot be read") {
		t.Errorf("a missing rules file: %v", err)
	}
}
