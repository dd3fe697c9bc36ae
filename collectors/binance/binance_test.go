package binance

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/exchangetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var testNow = time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)

// noSleep makes retries instant and records that one happened.
func noSleep(slept *atomic.Int64) func(context.Context, time.Duration) error {
	return func(context.Context, time.Duration) error {
		slept.Add(1)
		return nil
	}
}

func newCollector(t *testing.T, srv *httptest.Server, timeout time.Duration, cfg Config) *Collector {
	t.Helper()
	var slept atomic.Int64
	client := collectors.NewHTTPClient(timeout, collectors.TransportOptions{
		Retries: 1, MaxRetryWait: 0, Sleep: noSleep(&slept),
		Now: func() time.Time { return testNow },
	})
	cfg.FuturesURL, cfg.DeliveryURL = srv.URL, srv.URL
	c := NewCollector(cfg, client)
	c.now = func() time.Time { return testNow }
	return c
}

// collect runs one pull and counts its requests.
func collect(t *testing.T, c *Collector, kind collectors.Kind) (collectors.Records, int64, error) {
	t.Helper()
	ctx, n := collectors.WithRequestCounter(context.Background())
	recs, err := collectors.Collect(ctx, c, kind)
	return recs, n.Load(), err
}

// testWorld is a generated world (with its BTC and ETH COIN-M perpetuals)
// plus the cases generation leaves out: a quarterly and listings that are
// not trading.
func testWorld() *exchangetest.World {
	w := exchangetest.Generate(7, testNow, 40, 0, 0)
	w.Binance[4].FundingIntervalHours = 4
	w.Binance[5].FundingIntervalHours = 8
	w.Binance[5].FundingCap, w.Binance[5].FundingFloor = 0.03, -0.03
	w.Binance[20].Status = collectors.StatusPrelaunch
	w.Binance[21].Status = collectors.StatusDelisted
	w.Binance[22].Status = collectors.StatusSettling
	quarterly := w.Binance[0]
	quarterly.DeliveryAt = time.Date(2026, 3, 27, 8, 0, 0, 0, time.UTC)
	w.Binance = append(w.Binance, quarterly)
	return w
}

// simSymbol is how Binance names a listing, written independently of the
// simulator so that a naming slip on either side shows.
func simSymbol(l exchangetest.Listing) string {
	switch {
	case !l.DeliveryAt.IsZero():
		return l.Base + l.Quote + "_" + l.DeliveryAt.Format("060102")
	case l.Inverse():
		return l.Base + l.Quote + "_PERP"
	}
	return l.Base + l.Quote
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) }

func TestCollectRoundTrip(t *testing.T) {
	w := testWorld()
	srv := httptest.NewServer(exchangetest.Handler(w, exchangetest.Options{}))
	defer srv.Close()
	const top = 10
	c := newCollector(t, srv, 5*time.Second, Config{OpenInterestTop: top, Concurrency: 3})
	model := map[string]exchangetest.Listing{}
	for _, l := range w.Binance {
		model[simSymbol(l)] = l
	}

	recs, requests, err := collect(t, c, collectors.KindInstruments)
	if err != nil {
		t.Fatalf("instruments: %v", err)
	}
	if requests != 2 {
		t.Errorf("instruments made %d requests, want 2", requests)
	}
	if got, want := len(recs.Instruments), len(w.Binance); got != want {
		t.Fatalf("got %d instruments, want %d", got, want)
	}
	instruments := map[string]collectors.Instrument{}
	for _, in := range recs.Instruments {
		instruments[in.Symbol] = in
		l, ok := model[in.Symbol]
		if !ok {
			t.Errorf("instrument %s is not in the world", in.Symbol)
			continue
		}
		if in.Status != l.Status || !in.ListedAt.Equal(l.ListedAt) || !in.DeliveryAt.Equal(l.DeliveryAt) || in.TickSize != l.TickSize {
			t.Errorf("%s: got status %s listed %s delivery %s tick %g, want %s %s %s %g", in.Symbol,
				in.Status, in.ListedAt, in.DeliveryAt, in.TickSize, l.Status, l.ListedAt, l.DeliveryAt, l.TickSize)
		}
	}
	for sym, want := range map[string]collectors.Instrument{
		"BTCUSDT": {Unified: "BTC/USDT:USDT", ContractType: collectors.Perpetual, Margin: collectors.Linear, ContractSize: 1,
			LotSize: w.Binance[0].LotSize, MinQty: w.Binance[0].LotSize, MinNotional: 5, Multiplier: 1},
		"1000PEPEUSDT": {Unified: "1000PEPE/USDT:USDT", ContractType: collectors.Perpetual, Margin: collectors.Linear, ContractSize: 1,
			LotSize: w.Binance[10].LotSize, MinQty: w.Binance[10].LotSize, MinNotional: 5, Multiplier: 1000},
		"BTCUSDT_260327": {Unified: "BTC/USDT:USDT-260327", ContractType: collectors.Delivery, Margin: collectors.Linear, ContractSize: 1,
			LotSize: w.Binance[0].LotSize, MinQty: w.Binance[0].LotSize, MinNotional: 5, Multiplier: 1},
		"BTCUSD_PERP": {Unified: "BTC/USD:BTC", ContractType: collectors.Perpetual, Margin: collectors.Inverse, ContractSize: 100,
			LotSize: 1, MinQty: 1, Multiplier: 1},
		"ETHUSD_PERP": {Unified: "ETH/USD:ETH", ContractType: collectors.Perpetual, Margin: collectors.Inverse, ContractSize: 10,
			LotSize: 1, MinQty: 1, Multiplier: 1},
	} {
		got := instruments[sym]
		if got.Unified != want.Unified || got.ContractType != want.ContractType || got.Margin != want.Margin ||
			got.ContractSize != want.ContractSize || got.LotSize != want.LotSize || got.MinQty != want.MinQty ||
			got.MinNotional != want.MinNotional || got.Multiplier != want.Multiplier {
			t.Errorf("%s: got %+v, want %+v", sym, got, want)
		}
	}

	recs, requests, err = collect(t, c, collectors.KindFunding)
	if err != nil {
		t.Fatalf("funding: %v", err)
	}
	if requests != 4 {
		t.Errorf("funding made %d requests, want 4", requests)
	}
	wantFunding := 0
	for _, l := range w.Binance {
		if l.DeliveryAt.IsZero() && (l.Status == collectors.StatusTrading || l.Status == collectors.StatusSuspended) {
			wantFunding++
		}
	}
	if len(recs.Funding) != wantFunding {
		t.Errorf("got %d funding rows, want %d", len(recs.Funding), wantFunding)
	}
	for _, f := range recs.Funding {
		l := model[f.Symbol]
		if f.Unified != instruments[f.Symbol].Unified {
			t.Errorf("%s: funding unified %q, instruments say %q", f.Symbol, f.Unified, instruments[f.Symbol].Unified)
		}
		if math.Abs(f.Rate-l.FundingRate) > 5e-9 || f.IntervalHours != l.FundingIntervalHours || !f.ObservedAt.Equal(testNow) {
			t.Errorf("%s: got rate %g every %gh at %s, want %g every %gh at %s", f.Symbol, f.Rate, f.IntervalHours, f.ObservedAt,
				l.FundingRate, l.FundingIntervalHours, testNow)
		}
		wantCap := 0.0
		if l.FundingIntervalHours != 8 || l.FundingCap != 0.02 {
			wantCap = l.FundingCap
		}
		if f.Cap != wantCap || f.Floor != -wantCap {
			t.Errorf("%s: got cap %g floor %g, want ±%g", f.Symbol, f.Cap, f.Floor, wantCap)
		}
		next := testNow.Add(time.Duration(l.FundingIntervalHours) * time.Hour).Truncate(time.Duration(l.FundingIntervalHours) * time.Hour)
		if !f.NextFundingAt.Equal(next) {
			t.Errorf("%s: next funding %s, want %s", f.Symbol, f.NextFundingAt, next)
		}
	}

	recs, requests, err = collect(t, c, collectors.KindMarket)
	if err != nil {
		t.Fatalf("market: %v", err)
	}
	if requests != 4+top {
		t.Errorf("market made %d requests, want %d", requests, 4+top)
	}
	var wantMarket int
	var byVolume []exchangetest.Listing // USDⓈ-M trading perpetuals
	for _, l := range w.Binance {
		switch l.Status {
		case collectors.StatusTrading, collectors.StatusSuspended, collectors.StatusSettling:
			wantMarket++
		}
		if !l.Inverse() && l.DeliveryAt.IsZero() && l.Status == collectors.StatusTrading {
			byVolume = append(byVolume, l)
		}
	}
	if len(recs.Market) != wantMarket {
		t.Errorf("got %d market rows, want %d", len(recs.Market), wantMarket)
	}
	sort.Slice(byVolume, func(i, j int) bool { return byVolume[i].Volume24hUSD > byVolume[j].Volume24hUSD })
	withOI := map[string]bool{}
	for _, l := range byVolume[:top] {
		withOI[simSymbol(l)] = true
	}
	for _, m := range recs.Market {
		l := model[m.Symbol]
		wantVol := l.Volume24hUSD
		if l.Inverse() {
			size := instruments[m.Symbol].ContractSize
			wantVol = math.Round(l.Volume24hUSD/size) * size
		}
		if m.LastPrice != l.Price || !near(m.Volume24hUSD, wantVol) || m.Unified != instruments[m.Symbol].Unified {
			t.Errorf("%s: got price %g volume %g unified %q, want %g %g %q", m.Symbol, m.LastPrice, m.Volume24hUSD, m.Unified,
				l.Price, wantVol, instruments[m.Symbol].Unified)
		}
		wantOI := 0.0
		if withOI[m.Symbol] {
			wantOI = l.OpenInterestUSD
		}
		if !near(m.OpenInterestUSD, wantOI) {
			t.Errorf("%s: open interest $%g, want $%g", m.Symbol, m.OpenInterestUSD, wantOI)
		}
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// serveExchangeInfo answers the two exchangeInfo paths with fixed bodies.
func serveExchangeInfo(t *testing.T, fapi, dapi []byte) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	for path, body := range map[string][]byte{"/fapi/v1/exchangeInfo": fapi, "/dapi/v1/exchangeInfo": dapi} {
		mux.HandleFunc(path, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(body)
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestInstrumentsFixtures maps the unusual cases (unknown status, unknown
// and new contract types, numeric filters, a delisting perpetual) and
// compares the whole result with a golden file.
func TestInstrumentsFixtures(t *testing.T) {
	srv := serveExchangeInfo(t, readTestdata(t, "fapi-exchangeInfo.json"), readTestdata(t, "dapi-exchangeInfo.json"))
	recs, _, err := collect(t, newCollector(t, srv, 5*time.Second, Config{}), collectors.KindInstruments)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]collectors.Instrument{}
	for _, in := range recs.Instruments {
		got[in.Symbol] = in
	}
	for _, tc := range []struct {
		symbol, unified, contractType, nativeType string
		status                                    collectors.Status
		nativeStatus                              string
		tick                                      float64
	}{
		{"XAUUSDT", "XAU/USDT:USDT", collectors.Perpetual, "TRADIFI_PERPETUAL", collectors.StatusTrading, "TRADING", 0.05},
		{"PAUSEDUSDT", "PAUSED/USDT:USDT", collectors.Perpetual, "PERPETUAL", collectors.StatusUnknown, "HALTED_FOR_REVIEW", 0.001},
		{"MYSTUSDC", "MYST/USDC:USDC", collectors.Perpetual, "LEVERAGED_THING", collectors.StatusTrading, "TRADING", 0.0001},
		{"NEWCOINUSDT", "NEWCOIN/USDT:USDT", collectors.Perpetual, "", collectors.StatusPrelaunch, "PENDING_TRADING", 0.0001},
		{"OLDUSDT", "OLD/USDT:USDT", collectors.Perpetual, "PERPETUAL_DELIVERING", collectors.StatusSettling, "SETTLING", 0.0001},
		{"ETHUSDT_260626", "ETH/USDT:USDT-260626", collectors.Delivery, "CURRENT_QUARTER", collectors.StatusTrading, "TRADING", 0.05},
		{"BTCUSD_260626", "BTC/USD:BTC-260626", collectors.Delivery, "CURRENT_QUARTER", collectors.StatusSettling, "PRE_DELIVERING", 0.2},
		{"LUNAUSD_PERP", "LUNA/USD:LUNA", collectors.Perpetual, "PERPETUAL", collectors.StatusDelisted, "CLOSE", 0.001},
	} {
		in, ok := got[tc.symbol]
		if !ok {
			t.Errorf("%s was dropped", tc.symbol)
			continue
		}
		if in.Unified != tc.unified || in.ContractType != tc.contractType || in.NativeType != tc.nativeType ||
			in.Status != tc.status || in.NativeStatus != tc.nativeStatus || in.TickSize != tc.tick {
			t.Errorf("%s: got %s %s/%q %s/%q tick %g, want %s %s/%q %s/%q tick %g", tc.symbol,
				in.Unified, in.ContractType, in.NativeType, in.Status, in.NativeStatus, in.TickSize,
				tc.unified, tc.contractType, tc.nativeType, tc.status, tc.nativeStatus, tc.tick)
		}
	}
	if in := got["OLDUSDT"]; !in.DeliveryAt.Equal(time.UnixMilli(1767600000000)) {
		t.Errorf("OLDUSDT: delivery at %s, want its scheduled settlement", in.DeliveryAt)
	}

	body, err := json.MarshalIndent(recs.Instruments, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "instruments.golden.json")
	if *update {
		if err := os.WriteFile(golden, append(body, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if want := readTestdata(t, "instruments.golden.json"); !bytes.Equal(append(body, '\n'), want) {
		t.Errorf("instruments differ from %s (run go test -update to accept):\n%s", golden, body)
	}
}

// TestRealExchangeInfo parses a real /fapi/v1/exchangeInfo capture.
func TestRealExchangeInfo(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "realdata", "binance", "fapi-v1-exchangeInfo.json")
	real, err := os.ReadFile(path)
	if err != nil {
		t.Skip("../shared/realdata not found: ", err)
	}
	srv := serveExchangeInfo(t, real, readTestdata(t, "dapi-exchangeInfo.json"))
	recs, _, err := collect(t, newCollector(t, srv, 5*time.Second, Config{}), collectors.KindInstruments)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	got := map[string]collectors.Instrument{}
	for _, in := range recs.Instruments {
		if in.Margin != collectors.Linear {
			continue
		}
		counts[in.ContractType]++
		got[in.Symbol] = in
		if in.ContractType == collectors.Perpetual {
			if u := unifiedFromSymbol(in.Symbol, false); u != in.Unified {
				t.Errorf("%s: unified from the id is %q, from exchangeInfo %q", in.Symbol, u, in.Unified)
			}
		}
	}
	if counts[collectors.Perpetual] != 131 || counts[collectors.Delivery] != 2 {
		t.Errorf("got %v, want 131 perpetuals (one prelaunch) and 2 delivery contracts", counts)
	}
	if in := got["BTCSTUSDT"]; in.Status != collectors.StatusPrelaunch || in.ContractType != collectors.Perpetual || in.NativeType != "" {
		t.Errorf("BTCSTUSDT: got %s %s/%q, want a prelaunch perpetual with contractType \"\"", in.Status, in.ContractType, in.NativeType)
	}
	btc := got["BTCUSDT"]
	if btc.TickSize != 0.01 || btc.LotSize != 0.001 || btc.MinQty != 0.001 || btc.MinNotional != 5 ||
		!btc.ListedAt.Equal(time.UnixMilli(1569398400000)) || btc.Unified != "BTC/USDT:USDT" {
		t.Errorf("BTCUSDT: got %+v", btc)
	}
	if u := got["BTCUSDT_210924"].Unified; u != "BTC/USDT:USDT-210924" {
		t.Errorf("BTCUSDT_210924: unified %q, want BTC/USDT:USDT-210924", u)
	}
}

func respond(status int, contentType, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		w.Write([]byte(body))
	}
}

// TestFailures checks that every failure is reported with its own kind and
// that no records come back: a failed pull must never look like a change.
func TestFailures(t *testing.T) {
	const jsonType = "application/json"
	blocked := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	for _, tc := range []struct {
		name    string
		kind    collectors.Kind
		path    string // the one path that fails; the rest is the simulator
		symbol  string // only this symbol fails, for per-symbol paths
		handler http.HandlerFunc
		want    collectors.ErrorKind
		wantMsg string
	}{
		{"429 with Retry-After", collectors.KindInstruments, "/fapi/v1/exchangeInfo", "",
			respond(429, jsonType, `{"code":-1003,"msg":"Too much request weight used."}`, "Retry-After", "30"),
			collectors.ErrRateLimited, "usdm exchangeInfo"},
		{"418 IP ban", collectors.KindFunding, "/fapi/v1/premiumIndex", "",
			respond(418, jsonType, `{"code":-1003,"msg":"Way too much request weight used; IP banned."}`, "Retry-After", "120"),
			collectors.ErrBanned, "usdm premiumIndex"},
		{"403 geo", collectors.KindInstruments, "/dapi/v1/exchangeInfo", "",
			respond(403, "text/plain", "Forbidden"), collectors.ErrGeoBlocked, "coinm exchangeInfo"},
		{"451 geo", collectors.KindMarket, "/fapi/v1/ticker/24hr", "",
			respond(451, jsonType, `{"code":0,"msg":"Service unavailable from a restricted location."}`),
			collectors.ErrGeoBlocked, "usdm ticker/24hr"},
		{"5xx", collectors.KindFunding, "/dapi/v1/fundingInfo", "",
			respond(503, jsonType, `{"code":-1001,"msg":"Internal error; unable to process your request."}`),
			collectors.ErrServer, "coinm fundingInfo"},
		{"timeout", collectors.KindFunding, "/dapi/v1/premiumIndex", "", blocked,
			collectors.ErrTimeout, "coinm premiumIndex"},
		{"HTML challenge with 200", collectors.KindInstruments, "/fapi/v1/exchangeInfo", "",
			respond(200, "text/html", "<!DOCTYPE html><html><body>Checking your browser…</body></html>"),
			collectors.ErrNotJSON, "usdm exchangeInfo"},
		{"HTML page typed as JSON", collectors.KindFunding, "/dapi/v1/premiumIndex", "",
			respond(200, jsonType, "<html><body>maintenance</body></html>"), collectors.ErrNotJSON, "coinm premiumIndex"},
		{"truncated JSON", collectors.KindMarket, "/dapi/v1/ticker/24hr", "",
			respond(200, jsonType, `[{"symbol":"BTCUSD_PERP","lastPrice":"9`), collectors.ErrTruncated, "coinm ticker/24hr"},
		{"malformed JSON", collectors.KindFunding, "/fapi/v1/fundingInfo", "",
			respond(200, jsonType, `[{"symbol":"BTCUSDT","fundingIntervalHours":"four"}]`), collectors.ErrMalformed, "usdm fundingInfo"},
		{"empty symbols", collectors.KindInstruments, "/fapi/v1/exchangeInfo", "",
			respond(200, jsonType, `{"timezone":"UTC","serverTime":1767225600000,"rateLimits":[],"exchangeFilters":[],"symbols":[]}`),
			collectors.ErrEmpty, "usdm exchangeInfo"},
		{"empty COIN-M symbols", collectors.KindInstruments, "/dapi/v1/exchangeInfo", "",
			respond(200, jsonType, `{"timezone":"UTC","serverTime":1767225600000,"rateLimits":[],"exchangeFilters":[],"symbols":[]}`),
			collectors.ErrEmpty, "coinm exchangeInfo"},
		{"empty premium index", collectors.KindFunding, "/fapi/v1/premiumIndex", "",
			respond(200, jsonType, `[]`), collectors.ErrEmpty, "usdm premiumIndex"},
		{"error object with 200", collectors.KindFunding, "/fapi/v1/fundingInfo", "",
			respond(200, jsonType, `{"code":-1121,"msg":"Invalid symbol."}`), collectors.ErrMalformed, "usdm fundingInfo"},
		{"price as an object", collectors.KindMarket, "/dapi/v1/ticker/24hr", "",
			respond(200, jsonType, `[{"symbol":"BTCUSD_PERP","lastPrice":{"v":1},"closeTime":1767225600000}]`),
			collectors.ErrMalformed, "coinm ticker/24hr: malformed: BTCUSD_PERP lastPrice is not a number"},
		{"time as text", collectors.KindFunding, "/dapi/v1/premiumIndex", "",
			respond(200, jsonType, `[{"symbol":"BTCUSD_PERP","lastFundingRate":"0.0001","time":"soon"}]`),
			collectors.ErrMalformed, "coinm premiumIndex: malformed: time: text where a number belongs"},
		{"one open interest failing", collectors.KindMarket, "/fapi/v1/openInterest", "ETHUSDT",
			respond(500, jsonType, `{"code":-1000,"msg":"An unknown error occurred while processing the request."}`),
			collectors.ErrServer, "usdm openInterest ETHUSDT"},
		{"one open interest rejected", collectors.KindMarket, "/fapi/v1/openInterest", "SOLUSDT",
			respond(400, jsonType, `{"code":-1121,"msg":"Invalid symbol."}`), collectors.ErrRejected, "usdm openInterest SOLUSDT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			simulator := exchangetest.Handler(exchangetest.Generate(3, testNow, 30, 0, 0), exchangetest.Options{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == tc.path && (tc.symbol == "" || r.URL.Query().Get("symbol") == tc.symbol) {
					tc.handler(w, r)
					return
				}
				simulator.ServeHTTP(w, r)
			}))
			defer srv.Close()
			timeout := 5 * time.Second
			if tc.want == collectors.ErrTimeout {
				timeout = 200 * time.Millisecond
			}
			recs, _, err := collect(t, newCollector(t, srv, timeout, Config{OpenInterestTop: 10}), tc.kind)
			if err == nil {
				t.Fatalf("got no error and %d records", recs.Len())
			}
			if got := collectors.KindOf(err); got != tc.want {
				t.Errorf("error kind %s, want %s: %v", got, tc.want, err)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q does not name %q", err, tc.wantMsg)
			}
			if recs.Len() != 0 {
				t.Errorf("got %d records with the error, want none", recs.Len())
			}
		})
	}
}

// TestRateLimitStopsRequests checks that after a 429 the collector waits
// out Retry-After instead of hammering: no sleeping within the pull (the
// wait is longer than MaxRetryWait) and no further requests reach the
// exchange from later pulls.
func TestRateLimitStopsRequests(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		respond(429, "application/json", `{"code":-1003,"msg":"Too much request weight used."}`, "Retry-After", "60")(w, r)
	}))
	defer srv.Close()
	var slept atomic.Int64
	client := collectors.NewHTTPClient(5*time.Second, collectors.TransportOptions{
		Retries: 3, MaxRetryWait: 0, Sleep: noSleep(&slept),
		Now: func() time.Time { return testNow },
	})
	c := NewCollector(Config{FuturesURL: srv.URL, DeliveryURL: srv.URL}, client)

	for _, kind := range marketKinds {
		recs, err := collectors.Collect(context.Background(), c, kind)
		if collectors.KindOf(err) != collectors.ErrRateLimited || recs.Len() != 0 {
			t.Errorf("%s: got %d records and error %v, want rate_limited and none", kind, recs.Len(), err)
		}
	}
	// The two concurrent exchangeInfo requests of the first pull may both
	// leave before the first 429 comes back; nothing after that.
	if n := hits.Load(); n < 1 || n > 2 {
		t.Errorf("the exchange saw %d requests, want 1 or 2", n)
	}
	if n := slept.Load(); n != 0 {
		t.Errorf("slept %d times within a pull, want 0", n)
	}
}

func TestStatus(t *testing.T) {
	for native, want := range map[string]collectors.Status{
		"PENDING_TRADING": collectors.StatusPrelaunch,
		"TRADING":         collectors.StatusTrading,
		"PRE_DELIVERING":  collectors.StatusSettling,
		"DELIVERING":      collectors.StatusSettling,
		"PRE_SETTLE":      collectors.StatusSettling,
		"SETTLING":        collectors.StatusSettling,
		"DELIVERED":       collectors.StatusDelisted,
		"CLOSE":           collectors.StatusDelisted,
		"BREAK":           collectors.StatusUnknown,
		"":                collectors.StatusUnknown,
	} {
		if got := status(native); got != want {
			t.Errorf("status(%q) = %s, want %s", native, got, want)
		}
	}
}

func TestContractType(t *testing.T) {
	for _, tc := range []struct {
		native   string
		delivery int64
		want     string
	}{
		{"PERPETUAL", perpetualDelivery, collectors.Perpetual},
		{"PERPETUAL_DELIVERING", 1767600000000, collectors.Perpetual},
		{"TRADIFI_PERPETUAL", perpetualDelivery, collectors.Perpetual},
		{"CURRENT_MONTH", 1767600000000, collectors.Delivery},
		{"NEXT_MONTH", 1767600000000, collectors.Delivery},
		{"CURRENT_QUARTER", 1767600000000, collectors.Delivery},
		{"NEXT_QUARTER", 1782460800000, collectors.Delivery},
		{"", perpetualDelivery, collectors.Perpetual},
		{"", 1767600000000, collectors.Delivery},
		{"SOMETHING_NEW", perpetualDelivery, collectors.Perpetual},
		{"SOMETHING_NEW", 1767600000000, collectors.Delivery},
	} {
		if got := contractType(tc.native, tc.delivery); got != tc.want {
			t.Errorf("contractType(%q, %d) = %s, want %s", tc.native, tc.delivery, got, tc.want)
		}
	}
}

func TestUnifiedFromSymbol(t *testing.T) {
	for _, tc := range []struct {
		symbol  string
		inverse bool
		want    string
	}{
		{"BTCUSDT", false, "BTC/USDT:USDT"},
		{"1000PEPEUSDC", false, "1000PEPE/USDC:USDC"},
		{"ETHFDUSD", false, "ETH/FDUSD:FDUSD"},
		{"DOGEBUSD", false, "DOGE/BUSD:BUSD"},
		{"ETHBTC", false, ""},
		{"USDT", false, ""},
		{"BTCUSD_PERP", true, "BTC/USD:BTC"},
		{"BTCUSD_260626", true, ""},
		{"USD_PERP", true, ""},
	} {
		if got := unifiedFromSymbol(tc.symbol, tc.inverse); got != tc.want {
			t.Errorf("unifiedFromSymbol(%q, %v) = %q, want %q", tc.symbol, tc.inverse, got, tc.want)
		}
	}
}

// marketKinds are the kinds these fixtures serve: the market APIs.
// Announcements and yield have tests of their own.
var marketKinds = []collectors.Kind{collectors.KindInstruments, collectors.KindFunding, collectors.KindMarket}
