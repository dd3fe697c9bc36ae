package bybit

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// realData is where the project keeps real captured payloads, relative to
// this package; they are never copied into the repository.
var realData = filepath.Join("..", "..", "..", "shared", "realdata", "bybit")

// fixtureServer serves files as Bybit would, keyed by "instruments linear",
// "instruments linear PreLaunch", "tickers inverse"... A list without a file
// is empty, and a page asked for with a cursor is the empty last page that
// Bybit answers after a page that still carried a cursor.
func fixtureServer(t *testing.T, files map[string]string) *httptest.Server {
	t.Helper()
	bodies := make(map[string][]byte, len(files))
	for key, path := range files {
		b, err := os.ReadFile(path)
		if err != nil && strings.HasPrefix(path, realData) {
			t.Skip("../shared/realdata not found: " + err.Error())
		}
		if err != nil {
			t.Fatal(err)
		}
		bodies[key] = b
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		key := map[string]string{instrumentsPath: "instruments", tickersPath: "tickers"}[r.URL.Path] + " " + q.Get("category")
		if q.Get("status") != "" {
			key += " " + q.Get("status")
		}
		w.Header().Set("Content-Type", "application/json")
		if b, ok := bodies[key]; ok && q.Get("cursor") == "" {
			w.Write(b)
			return
		}
		fmt.Fprintf(w, `{"retCode":0,"retMsg":"OK","result":{"category":%q,"list":[],"nextPageCursor":""},"retExtInfo":{},"time":1760352369000}`, q.Get("category"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func pull(t *testing.T, srv *httptest.Server, kind collectors.Kind) collectors.Snapshot {
	t.Helper()
	c := NewCollector(Config{BaseURL: srv.URL}, newClient(5*time.Second))
	snap := collectors.Pull(t.Context(), c, kind, func() time.Time { return testNow })
	if snap.Err != nil {
		t.Fatal(snap.Err)
	}
	return snap
}

// TestRealPayloads parses Bybit's own example payloads: the linear and
// pre-market instruments and the inverse tickers (with its flipped units).
func TestRealPayloads(t *testing.T) {
	srv := fixtureServer(t, map[string]string{
		"instruments linear":           filepath.Join(realData, "v5-market-instruments-info-linear.json"),
		"instruments linear PreLaunch": filepath.Join(realData, "v5-market-instruments-info-linear-prelaunch.json"),
		"instruments inverse":          filepath.Join("testdata", "instruments-inverse.json"),
		"tickers inverse":              filepath.Join(realData, "v5-market-tickers-inverse.json"),
		"tickers linear":               filepath.Join("testdata", "tickers-linear.json"),
	})
	ms := collectors.Millis
	want := collectors.Records{
		Instruments: []collectors.Instrument{
			{Exchange: "bybit", Symbol: "BIOUSDT", Unified: "BIO/USDT:USDT", Base: "BIO", Quote: "USDT", Settle: "USDT",
				Multiplier: 1, ContractType: "perpetual", NativeType: "LinearPerpetual", Margin: "linear",
				Status: collectors.StatusPrelaunch, NativeStatus: "PreLaunch", ContractSize: 1, TickSize: 0.0001,
				LotSize: 1, MinQty: 1, MinNotional: 5, MaxLeverage: 5, FundingIntervalHours: 8,
				FundingCap: 0.05, FundingFloor: -0.05, ListedAt: ms(1735032510000)},
			{Exchange: "bybit", Symbol: "BTCUSD", Unified: "BTC/USD:BTC", Base: "BTC", Quote: "USD", Settle: "BTC",
				Multiplier: 1, ContractType: "perpetual", NativeType: "InversePerpetual", Margin: "inverse",
				Status: collectors.StatusTrading, NativeStatus: "Trading", ContractSize: 1, TickSize: 0.5,
				LotSize: 1, MinQty: 1, MaxLeverage: 50, FundingIntervalHours: 8,
				FundingCap: 0.005, FundingFloor: -0.005, ListedAt: ms(1542211200000)},
			{Exchange: "bybit", Symbol: "BTCUSDT", Unified: "BTC/USDT:USDT", Base: "BTC", Quote: "USDT", Settle: "USDT",
				Multiplier: 1, ContractType: "perpetual", NativeType: "LinearPerpetual", Margin: "linear",
				Status: collectors.StatusTrading, NativeStatus: "Trading", ContractSize: 1, TickSize: 0.1,
				LotSize: 0.001, MinQty: 0.001, MinNotional: 5, MaxLeverage: 100, FundingIntervalHours: 8,
				FundingCap: 0.00375, FundingFloor: -0.00375, ListedAt: ms(1585526400000)},
		},
		Funding: []collectors.Funding{
			{Exchange: "bybit", Symbol: "BTCUSD", Unified: "BTC/USD:BTC", Rate: 0.0001, IntervalHours: 8,
				Cap: 0.005, Floor: -0.005, NextFundingAt: ms(1760371200000), MarkPrice: 114898.43, ObservedAt: ms(1760352369814)},
			{Exchange: "bybit", Symbol: "BTCUSDT", Unified: "BTC/USDT:USDT", Rate: -0.00012, IntervalHours: 8,
				Cap: 0.00375, Floor: -0.00375, NextFundingAt: ms(1760371200000), MarkPrice: 65435.2, ObservedAt: ms(1760352370123)},
		},
		Market: []collectors.MarketStat{
			{Exchange: "bybit", Symbol: "BIOUSDT", Unified: "BIO/USDT:USDT", LastPrice: 0.421,
				Volume24hUSD: 8765432.1, OpenInterestUSD: 1051250, ObservedAt: ms(1760352370123)},
			// Inverse: volume24h and openInterest are the USD figures.
			{Exchange: "bybit", Symbol: "BTCUSD", Unified: "BTC/USD:BTC", LastPrice: 120635.5,
				Volume24hUSD: 13713832, OpenInterestUSD: 240113967, ObservedAt: ms(1760352369814)},
			{Exchange: "bybit", Symbol: "BTCUSDT", Unified: "BTC/USDT:USDT", LastPrice: 65432.1,
				Volume24hUSD: 4123456789.1234, OpenInterestUSD: 3279760000, ObservedAt: ms(1760352370123)},
		},
	}
	// The pre-market example still carries a cursor, so its list takes a
	// second, empty page: 4 instrument requests.
	tests := []struct {
		kind     collectors.Kind
		requests int
	}{{collectors.KindInstruments, 4}, {collectors.KindFunding, 6}, {collectors.KindMarket, 6}}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			snap := pull(t, srv, tt.kind)
			if snap.Requests != tt.requests {
				t.Errorf("requests = %d, want %d", snap.Requests, tt.requests)
			}
			var w collectors.Records
			switch tt.kind {
			case collectors.KindInstruments:
				w.Instruments = want.Instruments
			case collectors.KindFunding:
				w.Funding = want.Funding
			case collectors.KindMarket:
				w.Market = want.Market
			}
			compareRecords(t, snap.Records, w)
		})
	}
}

// TestUnknownValuesKept reads the project's own fixtures: an unknown
// contract type and status, a perpetual with a scheduled delisting, numbers
// sent as strings where Bybit usually sends ints, missing funding bounds,
// and tickers for a dated future and for a symbol with no instrument.
func TestUnknownValuesKept(t *testing.T) {
	srv := fixtureServer(t, map[string]string{
		"instruments linear":  filepath.Join("testdata", "instruments-odd.json"),
		"tickers linear":      filepath.Join("testdata", "tickers-odd.json"),
		"instruments inverse": filepath.Join("testdata", "instruments-inverse.json"),
		"tickers inverse":     filepath.Join("testdata", "tickers-inverse.json"),
	})
	for _, kind := range marketKinds {
		t.Run(string(kind), func(t *testing.T) {
			snap := pull(t, srv, kind)
			golden(t, filepath.Join("testdata", "odd-"+string(kind)+".golden.json"), snap.Records)
		})
	}

	// The points of the fixture, spelled out beside the golden files.
	ins := pull(t, srv, collectors.KindInstruments).Records.Instruments
	if len(ins) != 4 {
		t.Fatalf("got %d instruments, want 3 odd linear ones and BTCUSD", len(ins))
	}
	ins = append(ins[:1], ins[2:]...) // drop BTCUSD, the plain inverse perpetual
	checks := []struct {
		got, want any
		what      string
	}{
		{ins[0].Symbol + " " + ins[0].ContractType + " " + string(ins[0].Status), "1000PEPEUSDT perpetual trading", "symbol, type, status"},
		{ins[0].DeliveryAt, collectors.Millis(1767225600000), "scheduled delisting of a perpetual"},
		{ins[0].Multiplier, 1000.0, "multiplier"},
		{ins[0].FundingIntervalHours, 4.0, `fundingInterval sent as "240"`},
		{ins[1].Symbol + " " + ins[1].ContractType + " " + ins[1].NativeType, "BTCUSDT-26JUN26 delivery LinearQuarterlyFutures", "unknown *Futures type"},
		{string(ins[1].Status) + " " + ins[1].NativeStatus, "settling Delivering", "status"},
		{ins[2].Symbol + " " + ins[2].ContractType + " " + ins[2].NativeType, "XAUTUSDT perpetual TradFiPerpetual", "unknown type"},
		{string(ins[2].Status) + " " + ins[2].NativeStatus, "unknown Settling", "unknown status"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.what, c.got, c.want)
		}
	}
}

func golden(t *testing.T, path string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update and review the diff):\n%s", path, got)
	}
}
