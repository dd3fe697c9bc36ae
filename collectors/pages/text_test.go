package pages

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/rivalwatch/rivalwatch/collectors"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestText(t *testing.T) {
	tests := []struct {
		name, html, selector, want string
	}{
		{"cells never glue together",
			"<table><tr><th>Launch Time</th><th>Leverage</th></tr><tr><td>2026-05-01</td><td>50x</td></tr></table>", "",
			"Launch Time | Leverage\n2026-05-01 | 50x"},
		{"a paragraph in a cell stays on the row",
			"<table><tr><td><p>BARUSDT</p><p>new</p></td><td>25x</td></tr></table>", "",
			"BARUSDT new | 25x"},
		{"inline tags join without a space",
			"<p>VIP<b>0</b> pays <strong>0.0200%</strong>.</p>", "",
			"VIP0 pays 0.0200%."},
		{"space between inline tags is kept",
			"<p><span>Maker</span> <span>fee</span></p>", "",
			"Maker fee"},
		{"blocks are lines",
			"<h2>Fees</h2><div>Maker</div><div>Taker</div><p>a<br>b</p>", "",
			"Fees\nMaker\nTaker\na\nb"},
		{"scripts and styles are not text",
			"<body><script>x=1</script><style>p{}</style><p>kept</p></body>", "",
			"kept"},
		{"white space collapses",
			"<p>  many \n\t spaces   here </p>", "",
			"many spaces here"},
		{"selector picks the element",
			`<div id="nav">Home</div><div id="body"><p>Article</p></div>`, "#body",
			"Article"},
		{"entities decode",
			"<p>USD&#9416;-M &amp; COIN-M</p>", "",
			"USDⓈ-M & COIN-M"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Text([]byte(tt.html), tt.selector)
			if err != nil {
				t.Fatalf("Text: %v", err)
			}
			if got != tt.want {
				t.Errorf("Text =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestTextErrors(t *testing.T) {
	tests := []struct {
		name, selector string
		want           collectors.ErrorKind
	}{
		{"nothing matches", "table.fees", collectors.ErrMalformed},
		{"bad selector", "table[", collectors.ErrInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Text([]byte("<p>no table</p>"), tt.selector)
			if kind := collectors.KindOf(err); kind != tt.want {
				t.Errorf("kind %s (%v), want %s", kind, err, tt.want)
			}
		})
	}
}

// TestTextArticle reads a whole announcement page against its golden text.
func TestTextArticle(t *testing.T) {
	page, err := os.ReadFile(filepath.Join("testdata", "article.html"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Text(page, ".article")
	if err != nil {
		t.Fatalf("Text: %v", err)
	}
	golden := filepath.Join("testdata", "article.golden.txt")
	if *update {
		if err := os.WriteFile(golden, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got+"\n" != string(want) {
		t.Errorf("Text =\n%s\nwant\n%s", got, want)
	}
}

func BenchmarkText(b *testing.B) {
	page, err := os.ReadFile(filepath.Join("testdata", "article.html"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		if _, err := Text(page, ".article"); err != nil {
			b.Fatal(err)
		}
	}
}
