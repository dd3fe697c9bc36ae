package configs

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden error files in testdata/bad")

// goTypeNames are words an operator does not know: Go types and yaml.v3's
// internals leaking through a message.
var goTypeNames = regexp.MustCompile(`configs\.|reports\.|time\.Duration|float64|int64|\bint\b|\[\]|map\[|!!|unmarshal|strconv`)

var lineNumber = regexp.MustCompile(`: line \d+: `)

// TestBadConfigs loads every file in testdata/bad and compares the error
// with its golden .err file. Every problem is on its own line, names the
// file and a line number, and uses no Go type names.
func TestBadConfigs(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "bad", "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no bad configs: %v", err)
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".yaml"), func(t *testing.T) {
			_, err := Load(path)
			if err == nil {
				t.Fatal("want an error")
			}
			got := err.Error() + "\n"
			for _, line := range strings.Split(strings.TrimSpace(got), "\n") {
				if !lineNumber.MatchString(line) {
					t.Errorf("no line number: %s", line)
				}
				if m := goTypeNames.FindString(line); m != "" {
					t.Errorf("Go type name %q in: %s", m, line)
				}
			}
			golden := strings.TrimSuffix(path, ".yaml") + ".err"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if got != string(want) {
				t.Errorf("error changed (go test -update rewrites %s):\ngot:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}
