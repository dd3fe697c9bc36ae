package fees

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var observed = time.Date(2026, 3, 2, 7, 5, 0, 0, time.UTC)

// defaultSpec is the built-in spec of exchange and product.
func defaultSpec(t *testing.T, exchange, product string) PageSpec {
	t.Helper()
	for _, s := range DefaultPages() {
		if s.Exchange == exchange && s.Product == product {
			return s
		}
	}
	t.Fatalf("no default page for %s %s", exchange, product)
	return PageSpec{}
}

func readPage(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseTableGolden(t *testing.T) {
	tests := []struct {
		page, exchange, product, golden string
	}{
		{"bybit-help.html", "bybit", collectors.ProductUSDM, "bybit-usdm"},
		{"okx-fees.html", "okx", collectors.ProductUSDM, "okx-usdm"},
		{"okx-fees.html", "okx", collectors.ProductUSDC, "okx-usdc"},
		{"okx-fees.html", "okx", collectors.ProductCOINM, "okx-coinm"},
		{"binance-rendered.html", "binance", collectors.ProductUSDM, "binance-usdm"},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			got, err := ParseTable(readPage(t, tt.page), defaultSpec(t, tt.exchange, tt.product), observed)
			if err != nil {
				t.Fatalf("ParseTable: %v", err)
			}
			checkGolden(t, tt.golden, got)
		})
	}
}

func checkGolden(t *testing.T, name string, got []collectors.Fee) {
	t.Helper()
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(b) != string(want) {
		t.Errorf("rows differ from %s:\n%s", path, b)
	}
}

// TestParseTableFindsColumnsByHeader: a page that moves its columns
// around reads the same rows, because columns are found by header text.
func TestParseTableFindsColumnsByHeader(t *testing.T) {
	spec := defaultSpec(t, "bybit", collectors.ProductUSDM)
	want, err := ParseTable(readPage(t, "bybit-help.html"), spec, observed)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseTable(readPage(t, "bybit-reordered.html"), spec, observed)
	if err != nil {
		t.Fatalf("ParseTable of the reordered page: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reordered page:\n%+v\nwant\n%+v", got, want)
	}
}

func TestParseTableFailsWholePages(t *testing.T) {
	bybit := defaultSpec(t, "bybit", collectors.ProductUSDM)
	const head = `<table><thead><tr><th>VIP Level</th><th>30-Day Trading Volume</th><th>Asset Balance</th><th>Maker</th><th>Taker</th></tr></thead><tbody>`
	table := func(rows string) []byte { return []byte("<h2>Perpetual</h2>" + head + rows + "</tbody></table>") }
	tests := []struct {
		name string
		page []byte
		spec PageSpec
		kind collectors.ErrorKind
		says []string // the reason names the page and the cell
	}{
		{"bad percentage", readPage(t, "bybit-bad-percentage.html"), bybit, collectors.ErrMalformed,
			[]string{"bybit usdm fee page", "row 4 (VIP3)", "maker", `"0.0l45%"`}},
		{"no table", readPage(t, "no-table.html"), bybit, collectors.ErrMalformed,
			[]string{"bybit usdm fee page", "no fee table matches", "render: browser"}},
		{"renamed column", table(`<tr><td>VIP0</td><td>-</td><td>-</td><td>0.02%</td><td>0.05%</td></tr>`),
			withColumns(bybit, func(c *ColumnMap) { c.Maker = "maker fee rate" }), collectors.ErrMalformed,
			[]string{`no column headed "maker fee rate" for the maker`, "VIP Level | 30-Day Trading Volume"}},
		{"one header for two columns", table(`<tr><td>VIP0</td><td>-</td><td>-</td><td>0.02%</td><td>0.05%</td></tr>`),
			withColumns(bybit, func(c *ColumnMap) { c.Balance = "a" }), collectors.ErrMalformed,
			[]string{`"a" heads`, "for the balance"}},
		{"tier missing", table(`<tr><td>VIP0</td><td>-</td><td>-</td><td>0.02%</td><td>0.05%</td></tr><tr><td></td><td>≥ 1M</td><td>-</td><td>0.01%</td><td>0.04%</td></tr>`),
			bybit, collectors.ErrMalformed, []string{"row 2: the tier cell is empty"}},
		{"tier twice", table(`<tr><td>VIP1</td><td>-</td><td>-</td><td>0.02%</td><td>0.05%</td></tr><tr><td>VIP1</td><td>≥ 1M</td><td>-</td><td>0.01%</td><td>0.04%</td></tr>`),
			bybit, collectors.ErrMalformed, []string{`rows 1 and 2 are both tier "VIP1"`}},
		{"short row", table(`<tr><td>VIP0</td><td>-</td><td>-</td><td>0.02%</td></tr>`),
			bybit, collectors.ErrMalformed, []string{"row 1 (VIP0) has 4 cells, no taker (column 5)"}},
		{"rate without a percent sign", table(`<tr><td>VIP0</td><td>-</td><td>-</td><td>0.0002</td><td>0.05%</td></tr>`),
			bybit, collectors.ErrMalformed, []string{"row 1 (VIP0), maker", `"0.0002" is not a percentage`}},
		{"rate out of range", table(`<tr><td>VIP0</td><td>-</td><td>-</td><td>0.02%</td><td>5%</td></tr>`),
			bybit, collectors.ErrMalformed, []string{"taker", "over 1%"}},
		{"threshold not in dollars", table(`<tr><td>VIP0</td><td>≥ 500 OKB</td><td>-</td><td>0.02%</td><td>0.05%</td></tr>`),
			bybit, collectors.ErrMalformed, []string{"30-day volume", `"≥ 500 OKB" is not an amount in USD`}},
		{"no rows", table(``), bybit, collectors.ErrEmpty, []string{"no tier rows"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := ParseTable(tt.page, tt.spec, observed)
			if rows != nil {
				t.Errorf("got %d rows with the error, want none", len(rows))
			}
			var e *collectors.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T), want *collectors.Error", err, err)
			}
			if e.Kind != tt.kind {
				t.Errorf("kind %s, want %s (%v)", e.Kind, tt.kind, err)
			}
			for _, s := range tt.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
}

func withColumns(s PageSpec, f func(*ColumnMap)) PageSpec {
	f(&s.Columns)
	return s
}

func TestParseTableSpans(t *testing.T) {
	// A rowspan tier label and a colspan "no threshold" cell keep every
	// other cell under its own header.
	page := []byte(`<table>
<tr><th>Tier</th><th>Volume</th><th>Balance</th><th>Maker</th><th>Taker</th></tr>
<tr><td>VIP0</td><td colspan="2">-</td><td>0.02%</td><td>0.05%</td></tr>
<tr><td>VIP1</td><td>≥ 1M</td><td rowspan="2">≥ 50K</td><td>0.018%</td><td>0.045%</td></tr>
<tr><td>VIP2</td><td>≥ 5M</td><td>0.016%</td><td>0.04%</td></tr>
</table>`)
	spec := PageSpec{Exchange: "rival", Product: collectors.ProductUSDM, URL: "https://rival.example/fees", Selector: "table",
		Columns: ColumnMap{Tier: "tier", Volume30d: "volume", Balance: "balance", Maker: "maker", Taker: "taker"}}
	got, err := ParseTable(page, spec, observed)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		tier            string
		maker, taker    float64
		volume, balance float64
	}
	want := []row{{"VIP0", 0.0002, 0.0005, 0, 0}, {"VIP1", 0.00018, 0.00045, 1e6, 5e4}, {"VIP2", 0.00016, 0.0004, 5e6, 5e4}}
	for i, f := range got {
		r := row{f.Tier, f.MakerRate, f.TakerRate, f.Min30dVolumeUSD, f.MinBalanceUSD}
		if i >= len(want) || r != want[i] {
			t.Errorf("row %d = %+v, want %+v", i+1, r, want)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d rows, want %d", len(got), len(want))
	}
}

func BenchmarkParseTable(b *testing.B) {
	page, err := os.ReadFile(filepath.Join("testdata", "okx-fees.html"))
	if err != nil {
		b.Fatal(err)
	}
	var spec PageSpec
	for _, s := range DefaultPages() {
		if s.Exchange == "okx" && s.Product == collectors.ProductUSDM {
			spec = s
		}
	}
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		if _, err := ParseTable(page, spec, observed); err != nil {
			b.Fatal(err)
		}
	}
}
