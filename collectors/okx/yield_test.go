package okx

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rivalwatch/rivalwatch/collectors"
)

func lendingServer(t *testing.T, body string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != pathLendingRateSummary {
			t.Errorf("unexpected request %s", r.URL)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestYield reads the savings summary: the estimated rate as a yearly
// fraction, the last hour's where OKX gives no estimate.
func TestYield(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "yield-lending-rate-summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := annCollector(lendingServer(t, string(body))).Yield(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []collectors.Yield{
		{Exchange: "okx", Product: "savings", Coin: "USDT", APR: 0.0405, Term: "flexible"},
		{Exchange: "okx", Product: "savings", Coin: "BTC", APR: 0.0035, Term: "flexible"},
		{Exchange: "okx", Product: "savings", Coin: "FOO", APR: 0.6, Term: "flexible"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rates, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i].ObservedAt.IsZero() {
			t.Errorf("%s: no ObservedAt", got[i].Coin)
		}
		got[i].ObservedAt = want[i].ObservedAt
		if got[i] != want[i] {
			t.Errorf("rate %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

// TestYieldFailures: a rate that cannot be true, a rate that is no
// number, a wrong JSON type or an empty list fails the pull, naming the
// coin or field.
func TestYieldFailures(t *testing.T) {
	one := func(fields string) string { return `{"code":"0","msg":"","data":[{"ccy":"USDT",` + fields + `}]}` }
	cases := []struct {
		name     string
		body     string
		kind     collectors.ErrorKind
		mentions string
	}{
		{"1500 percent a year", one(`"estRate":"15","preRate":"0.04"`), collectors.ErrImplausible, `USDT estRate "15" is outside 0 to 1000 %/yr`},
		{"negative", one(`"estRate":"-0.01"`), collectors.ErrImplausible, "USDT estRate"},
		{"a percentage", one(`"estRate":"4%"`), collectors.ErrMalformed, `USDT estRate "4%" is not a rate`},
		{"no rate at all", one(`"estRate":"","preRate":""`), collectors.ErrMalformed, "USDT preRate"},
		{"rate as a number", one(`"estRate":0.04`), collectors.ErrMalformed, "estRate"},
		{"empty list", `{"code":"0","msg":"","data":[]}`, collectors.ErrEmpty, "empty list"},
		{"code", `{"code":"50026","msg":"System error","data":[]}`, collectors.ErrAPI, "code 50026"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := annCollector(lendingServer(t, tc.body)).Yield(t.Context())
			if kind := collectors.KindOf(err); kind != tc.kind {
				t.Fatalf("kind %s, want %s (%v)", kind, tc.kind, err)
			}
			if !strings.Contains(err.Error(), tc.mentions) {
				t.Errorf("error %q should mention %q", err, tc.mentions)
			}
			if got != nil {
				t.Errorf("a failed pull returned %d rates", len(got))
			}
		})
	}
}
