package reports

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rivalwatch/rivalwatch/diff"
)

func hostileInput(t *testing.T) Input {
	in := testInput(t)
	evil := `<script>alert(1)</script>`
	in.Changes = append(in.Changes,
		change("okx", diff.ListingNew, evil, "EVIL/USDT:USDT", "", "", `"><img src=x onerror=alert(1)>`, diff.High, 2, nil),
		change(`bin|ance`, diff.ListingParam, "X*Y_Z", "", "max_leverage", "[click](http://evil)", "`100x`", diff.Low, 2, nil),
	)
	in.Freshness = append(in.Freshness, Freshness{Exchange: "okx", Kind: "fees", LastError: `<b>Just a moment...</b> challenge page`})
	in.House.Name = `Our <i>exchange</i>`
	return in
}

func TestHTMLEscapesWebText(t *testing.T) {
	var b bytes.Buffer
	if err := RenderHTML(&b, Build(hostileInput(t))); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"<script", "<img src=x", "<b>Just", "<i>exchange"} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML contains unescaped %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;b&gt;Just a moment...&lt;/b&gt;"} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks escaped %q", want)
		}
	}
	// E-mail safe: no scripts, no external resources, no style sheets.
	for _, re := range []string{`(?i)<script`, `(?i)<link`, `(?i)<style`, `(?i)src="http`, `(?i)href="http`} {
		if regexp.MustCompile(re).MatchString(out) {
			t.Errorf("HTML matches %s", re)
		}
	}
}

func TestMarkdownEscapesWebText(t *testing.T) {
	var b bytes.Buffer
	if err := RenderMarkdown(&b, Build(hostileInput(t)), nil); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"<script>", "[click](http://evil)", "| bin|ance |", "`100x`"} {
		if strings.Contains(out, bad) {
			t.Errorf("Markdown contains unescaped %q", bad)
		}
	}
	if !strings.Contains(out, `\<script\>`) {
		t.Error("Markdown lacks the escaped symbol")
	}
	// Every table row keeps its five cells despite the pipe in a name.
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| bin") {
			if n := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|"); n != 6 {
				t.Errorf("row %q has %d cell separators, want 6", line, n)
			}
		}
	}
}

func TestChartsPNG(t *testing.T) {
	tests := []struct {
		name string
		d    Digest
	}{
		{"full", Build(testInput(t))},
		{"empty", Build(Input{Date: day, GeneratedAt: generated})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			charts, err := Charts(tt.d)
			if err != nil {
				t.Fatal(err)
			}
			if len(charts) != 2 || charts[0].Name != ChartFunding || charts[1].Name != ChartVolume {
				t.Fatalf("charts = %d, want funding and volume", len(charts))
			}
			again, _ := Charts(tt.d)
			for i, c := range charts {
				img, err := png.Decode(bytes.NewReader(c.PNG))
				if err != nil {
					t.Fatalf("%s: %v", c.Name, err)
				}
				if b := img.Bounds(); b.Dx() != ChartWidth || b.Dy() != ChartHeight {
					t.Errorf("%s: size %dx%d, want %dx%d", c.Name, b.Dx(), b.Dy(), ChartWidth, ChartHeight)
				}
				if !bytes.Equal(c.PNG, again[i].PNG) {
					t.Errorf("%s: PNG differs between two renders of the same digest", c.Name)
				}
			}
		})
	}
}

func TestChartData(t *testing.T) {
	d := Build(testInput(t))
	if got := strings.Join(d.Exchanges, ","); got != "binance,bybit,okx" {
		t.Errorf("exchanges = %s", got)
	}
	// 1000PEPE: binance 25 bps/4 h = 547.5%/yr vs bybit 40 bps... the widest spread comes first.
	if d.FundingChart[0].Unified != "1000PEPE/USDT:USDT" {
		t.Errorf("widest divergence = %s, want 1000PEPE/USDT:USDT", d.FundingChart[0].Unified)
	}
	for i := 1; i < len(d.FundingChart); i++ {
		if d.FundingChart[i].Spread > d.FundingChart[i-1].Spread {
			t.Errorf("funding chart not sorted by spread at %d", i)
		}
	}
	// PEPE merges 1000PEPE (binance, bybit) and PEPE (okx): 0.8B + 0.5B + 0.3B.
	for _, v := range d.VolumeChart {
		if v.Coin == "PEPE" && v.TotalUSD != 1.6e9 {
			t.Errorf("PEPE total = %g, want 1.6e9", v.TotalUSD)
		}
	}
	if d.VolumeChart[0].Coin != "BTC" {
		t.Errorf("largest coin = %s, want BTC", d.VolumeChart[0].Coin)
	}
}

func TestHTMLEmbedsCharts(t *testing.T) {
	var b bytes.Buffer
	if err := RenderHTML(&b, Build(testInput(t))); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`src="data:image/png;base64,([^"]+)"`).FindAllStringSubmatch(b.String(), -1)
	if len(m) != 2 {
		t.Fatalf("found %d embedded images, want 2", len(m))
	}
	for _, s := range m {
		raw, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(s[1], "&#43;", "+"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(bytes.NewReader(raw)); err != nil {
			t.Errorf("embedded chart: %v", err)
		}
	}
}

func TestBuildDeterministic(t *testing.T) {
	in := testInput(t)
	want, _ := json.Marshal(Build(in))
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 5; i++ {
		r.Shuffle(len(in.Changes), func(a, b int) { in.Changes[a], in.Changes[b] = in.Changes[b], in.Changes[a] })
		r.Shuffle(len(in.Market), func(a, b int) { in.Market[a], in.Market[b] = in.Market[b], in.Market[a] })
		r.Shuffle(len(in.Funding), func(a, b int) { in.Funding[a], in.Funding[b] = in.Funding[b], in.Funding[a] })
		r.Shuffle(len(in.Freshness), func(a, b int) { in.Freshness[a], in.Freshness[b] = in.Freshness[b], in.Freshness[a] })
		got, _ := json.Marshal(Build(in))
		if !bytes.Equal(got, want) {
			t.Fatalf("shuffle %d: digest depends on input order", i)
		}
	}
}

func TestWrite(t *testing.T) {
	d := Build(testInput(t))
	dir := t.TempDir()
	tests := []struct {
		format string
		path   string
		want   []string
	}{
		{"html", filepath.Join(dir, "digest.html"), []string{"digest.html"}},
		{"json", filepath.Join(dir, "digest.json"), []string{"digest.json"}},
		{"md", filepath.Join(dir, "daily", "2025-03-14.md"), []string{"2025-03-14-funding.png", "2025-03-14-volume.png", "2025-03-14.md"}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			files, err := Write(d, tt.format, tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != len(tt.want) {
				t.Fatalf("wrote %v, want %v", files, tt.want)
			}
			for i, f := range files {
				if filepath.Base(f) != tt.want[i] {
					t.Errorf("file %d = %s, want %s", i, filepath.Base(f), tt.want[i])
				}
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if strings.HasSuffix(f, ".png") {
					if _, err := png.Decode(bytes.NewReader(b)); err != nil {
						t.Errorf("%s: %v", f, err)
					}
				}
			}
			entries, _ := os.ReadDir(filepath.Dir(tt.path))
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".") {
					t.Errorf("temporary file %s left behind", e.Name())
				}
			}
		})
	}
	md, _ := os.ReadFile(filepath.Join(dir, "daily", "2025-03-14.md"))
	if !strings.Contains(string(md), "](2025-03-14-funding.png)") {
		t.Error("Markdown does not link the funding chart beside it")
	}
	if _, err := Write(d, "pdf", filepath.Join(dir, "x.pdf")); err == nil || !strings.Contains(err.Error(), `"pdf"`) {
		t.Errorf("unknown format: err = %v", err)
	}
}
