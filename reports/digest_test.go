package reports

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// dataURI stands in for the embedded charts in the HTML golden file; the
// PNGs themselves are checked by the chart tests.
var dataURI = regexp.MustCompile(`data:image/png;base64,[A-Za-z0-9+/=&#;]+`)

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Errorf("%s differs from the golden file at line %d (run go test ./reports -update and review the diff):\n got: %s\nwant: %s", name, i+1, g, w)
			return
		}
	}
}

func TestDigestGolden(t *testing.T) {
	d := Build(testInput(t))
	if len(d.Problems) > 0 {
		t.Fatalf("default playbook problems: %q", d.Problems)
	}
	tests := []struct {
		name   string
		render func(*bytes.Buffer) error
	}{
		{"digest.html", func(b *bytes.Buffer) error { return RenderHTML(b, d) }},
		{"digest.md", func(b *bytes.Buffer) error {
			return RenderMarkdown(b, d, map[string]string{ChartFunding: "digest-funding.png", ChartVolume: "digest-volume.png"})
		}},
		{"digest.json", func(b *bytes.Buffer) error { return RenderJSON(b, d) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.render(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, dataURI.ReplaceAll(b.Bytes(), []byte("data:image/png;base64,CHART")))
		})
	}
}

func TestJSONRoundTrip(t *testing.T) {
	d := Build(testInput(t))
	var b bytes.Buffer
	if err := RenderJSON(&b, d); err != nil {
		t.Fatal(err)
	}
	var back Digest
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	var b2 bytes.Buffer
	if err := RenderJSON(&b2, back); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), b2.Bytes()) {
		t.Error("JSON does not carry the whole digest: decoding and re-encoding changed it")
	}
}
