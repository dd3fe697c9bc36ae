package fees

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/pages"
)

// feeServer serves testdata pages by name and counts requests per path.
func feeServer(t *testing.T) (*httptest.Server, map[string]*atomic.Int64) {
	t.Helper()
	hits := map[string]*atomic.Int64{}
	for _, p := range []string{"/okx", "/bybit", "/bybit-bad"} {
		hits[p] = &atomic.Int64{}
	}
	files := map[string]string{"/okx": "okx-fees.html", "/bybit": "bybit-help.html", "/bybit-bad": "bybit-bad-percentage.html"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		hits[r.URL.Path].Add(1)
		w.Header().Set("Content-Type", "text/html")
		w.Write(readPage(t, name))
	}))
	t.Cleanup(srv.Close)
	return srv, hits
}

func at(spec PageSpec, url string) PageSpec {
	spec.URL = url
	return spec
}

func TestSources(t *testing.T) {
	srv, hits := feeServer(t)
	fetcher := pages.New(collectors.NewHTTPClient(5*time.Second, collectors.TransportOptions{}), pages.Options{})
	okx := func(product string) PageSpec { return at(defaultSpec(t, "okx", product), srv.URL+"/okx") }
	manual := Manual{Exchange: "okx", Product: collectors.ProductUSDM, Tier: "MM1", Maker: -0.00005, Taker: 0.0002, Min30dVolumeUSD: 1e9}
	api := func(rows ...collectors.Fee) func(context.Context) ([]collectors.Fee, error) {
		return func(context.Context) ([]collectors.Fee, error) { return rows, nil }
	}
	zeroFee := collectors.Fee{Exchange: "okx", Product: collectors.ProductUSDM, Tier: "Lv1", Symbol: "PEPE-USDT-SWAP", Source: collectors.FeeSourceAPI}
	now := func() time.Time { return observed }

	t.Run("every source, one page fetched once for three products", func(t *testing.T) {
		src := Sources{Exchange: "okx", Fetcher: fetcher, Now: now, Manual: []Manual{manual}, API: api(zeroFee),
			Pages: []PageSpec{okx(collectors.ProductUSDM), okx(collectors.ProductUSDC), okx(collectors.ProductCOINM)}}
		snaps := collectors.Sweep(context.Background(), []collectors.Collector{sourcesCollector{src}}, []collectors.Kind{collectors.KindFees}, now, nil)
		if err := snaps[0].Err; err != nil {
			t.Fatal(err)
		}
		rows := snaps[0].Records.Fees
		bySource := map[string]int{}
		for _, f := range rows {
			bySource[f.Source]++
		}
		if bySource["manual"] != 1 || bySource["api"] != 1 || bySource["page"] < 3 {
			t.Errorf("rows by source %v", bySource)
		}
		if n := hits["/okx"].Load(); n != 1 {
			t.Errorf("the OKX page was fetched %d times in one sweep, want once", n)
		}
	})

	bybit := defaultSpec(t, "bybit", collectors.ProductUSDM)
	tests := []struct {
		name string
		src  Sources
		says []string
		kind collectors.ErrorKind
	}{
		{"a page that does not parse fails the pull, the others still read",
			Sources{Exchange: "bybit", Pages: []PageSpec{at(bybit, srv.URL+"/bybit-bad")}, Manual: []Manual{manual}},
			[]string{"bybit usdm fee page", `"0.0l45%"`}, collectors.ErrMalformed},
		{"a missing page and a bad one are both reported",
			Sources{Exchange: "bybit", Pages: []PageSpec{at(bybit, srv.URL+"/gone"), at(defaultSpec(t, "okx", collectors.ProductUSDM), srv.URL+"/bybit-bad")}},
			[]string{"bybit usdm fee page: /gone: rejected (HTTP 404)", "; /bybit-bad: malformed: okx usdm fee page: no fee table matches"}, collectors.ErrRejected},
		{"no browser: a clear message, the plain page still read",
			Sources{Exchange: "binance", Browser: pages.BrowserOptions{ExecPath: "/nonexistent/chromium"},
				Pages: []PageSpec{at(defaultSpec(t, "binance", collectors.ProductUSDM), srv.URL+"/binance"), at(bybit, srv.URL+"/bybit")}},
			[]string{"binance usdm fee page", "no Chromium at /nonexistent/chromium (install Debian's chromium"}, collectors.ErrInternal},
		{"an implausible account rate",
			Sources{Exchange: "okx", API: api(collectors.Fee{Exchange: "okx", Symbol: "BTC-USDT-SWAP", TakerRate: 0.05})},
			[]string{"okx account fees: BTC-USDT-SWAP taker rate 0.05 is beyond ±1%"}, collectors.ErrImplausible},
		{"a failing account endpoint",
			Sources{Exchange: "okx", API: func(context.Context) ([]collectors.Fee, error) {
				return nil, &collectors.Error{Kind: collectors.ErrRejected, Msg: "the API key was refused"}
			}, Manual: []Manual{manual}},
			[]string{"okx account fees: rejected: the API key was refused"}, collectors.ErrRejected},
		{"nothing configured", Sources{Exchange: "okx"}, []string{"no fee source configured for okx"}, collectors.ErrEmpty},
		{"the same tier twice", Sources{Exchange: "okx", Manual: []Manual{manual, manual}}, []string{`tier "MM1"`, "comes twice"}, collectors.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.src.Fetcher, tt.src.Now = fetcher, now
			rows, err := tt.src.Fees(context.Background())
			if rows != nil || err == nil {
				t.Fatalf("got %d rows, error %v; want an error and no rows", len(rows), err)
			}
			for _, s := range tt.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans lines; a run's error is one line", err)
			}
			var e *collectors.Error
			if !errors.As(err, &e) || e.Kind != tt.kind {
				t.Errorf("kind of %v, want %s", err, tt.kind)
			}
		})
	}
	if n := hits["/bybit"].Load(); n != 1 {
		t.Errorf("the plain page beside the browser page was fetched %d times, want 1", n)
	}
}

// sourcesCollector pulls fees from its Sources, as an exchange does.
type sourcesCollector struct{ src Sources }

func (c sourcesCollector) Exchange() string { return c.src.Exchange }
func (c sourcesCollector) Pulls() collectors.Pulls {
	return collectors.Pulls{collectors.KindFees: collectors.FeesPull(c.src.Fees)}
}
