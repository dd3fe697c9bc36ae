package bybit

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// earnServer serves testdata/yield-<category>.json, or override's answer
// for one category.
func earnServer(t *testing.T, override map[string]string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		category := r.URL.Query().Get("category")
		if r.URL.Path != earnProductPath {
			t.Errorf("unexpected request %s", r.URL)
		}
		w.Header().Set("Content-Type", "application/json")
		if body, ok := override[category]; ok {
			w.Write([]byte(body))
			return
		}
		body, err := os.ReadFile(filepath.Join("testdata", "yield-"+category+".json"))
		if err != nil {
			t.Errorf("no fixture for category %q", category)
		}
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestYield reads both categories: percentages and fractions become yearly
// fractions, fixed on-chain terms keep their days, unavailable products
// are left out, and records carry Bybit's server time.
func TestYield(t *testing.T) {
	srv := earnServer(t, nil)
	got, err := annCollector(srv).Yield(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	at := time.UnixMilli(1772700000000).UTC()
	want := []collectors.Yield{
		{Exchange: "bybit", Product: "FlexibleSaving", ProductID: "901", Coin: "USDT", APR: 0.065, Term: "flexible", ObservedAt: at},
		{Exchange: "bybit", Product: "FlexibleSaving", ProductID: "902", Coin: "BTC", APR: 0.0035, Term: "flexible", ObservedAt: at},
		{Exchange: "bybit", Product: "OnChain", ProductID: "911", Coin: "ETH", APR: 0.031, Term: "flexible", ObservedAt: at},
		{Exchange: "bybit", Product: "OnChain", ProductID: "912", Coin: "SOL", APR: 0.0725, Term: "30d", ObservedAt: at},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d products, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("product %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

// TestYieldFailures: a rate that cannot be true, a rate that is no
// number, a wrong JSON type or an empty category fails the pull, naming
// the coin or field.
func TestYieldFailures(t *testing.T) {
	one := func(fields string) string {
		return `{"retCode":0,"retMsg":"","result":{"list":[{"coin":"USDT","productId":"1","status":"Available",` + fields + `}]},"time":1772700000000}`
	}
	cases := []struct {
		name     string
		body     string
		kind     collectors.ErrorKind
		mentions string
	}{
		{"1500 percent", one(`"estimateApr":"1500%"`), collectors.ErrImplausible, `OnChain USDT estimateApr "1500%" is outside 0 to 1000 %/yr`},
		{"negative", one(`"estimateApr":"-0.01"`), collectors.ErrImplausible, "USDT"},
		{"not a number", one(`"estimateApr":"high"`), collectors.ErrMalformed, `USDT estimateApr "high" is not a rate`},
		{"NaN", one(`"estimateApr":"NaN%"`), collectors.ErrMalformed, "not a rate"},
		{"missing", one(`"duration":"Flexible"`), collectors.ErrMalformed, "not a rate"},
		{"rate as a number", one(`"estimateApr":5`), collectors.ErrMalformed, "estimateApr"},
		{"term as text", one(`"estimateApr":"5%","duration":"Fixed","term":"30"`), collectors.ErrMalformed, "term"},
		{"empty category", `{"retCode":0,"retMsg":"","result":{"list":[]},"time":1}`, collectors.ErrEmpty, "no OnChain products"},
		{"retCode", `{"retCode":180001,"retMsg":"invalid category","result":{},"time":1}`, collectors.ErrAPI, "retCode 180001"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := earnServer(t, map[string]string{"OnChain": tc.body})
			got, err := annCollector(srv).Yield(t.Context())
			if kind := collectors.KindOf(err); kind != tc.kind {
				t.Fatalf("kind %s, want %s (%v)", kind, tc.kind, err)
			}
			if !strings.Contains(err.Error(), tc.mentions) {
				t.Errorf("error %q should mention %q", err, tc.mentions)
			}
			if got != nil {
				t.Errorf("a failed pull returned %d products", len(got))
			}
		})
	}
}

// TestParseAPR accepts both forms Bybit may send and nothing else.
func TestParseAPR(t *testing.T) {
	cases := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"3%", 0.03, true},
		{"4.25%", 0.0425, true},
		{" 0.05 ", 0.05, true},
		{"0%", 0, true},
		{"1000%", 10, true},
		{"1000.01%", 0, false},
		{"11", 0, false},
		{"", 0, false},
		{"%", 0, false},
		{"Inf", 0, false},
		{"3 %", 0.03, true},
		{"0.35%", 0.0035, true},
		{"3e1%", 0, false},
	}
	for _, tc := range cases {
		got, err := parseAPR(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("%q: got %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
