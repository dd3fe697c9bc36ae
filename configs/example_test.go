package configs

import (
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/rivalwatch/rivalwatch/reports"
)

// The documented example and Default must never drift: an operator reads
// the example to learn what leaving a key out means.
func TestExampleIsDefault(t *testing.T) {
	cfg, err := LoadEmbedded("rivalwatch.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Playbook = reports.Playbook{}
	cfg.ClassifyRules = nil // loaded, like the playbook
	want := Default()
	if reflect.DeepEqual(cfg, want) {
		return
	}
	got, _ := yaml.Marshal(cfg)
	exp, _ := yaml.Marshal(want)
	g, e := strings.Split(string(got), "\n"), strings.Split(string(exp), "\n")
	for i := range min(len(g), len(e)) {
		if g[i] != e[i] {
			t.Fatalf("rivalwatch.yaml differs from Default() at\n file:    %s\n default: %s", g[i], e[i])
		}
	}
	t.Fatalf("rivalwatch.yaml differs from Default():\n%s\nwant\n%s", got, exp)
}
