package okx

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
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/exchangetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// fixedNow keeps the transport's rate-limit cooldown from expiring mid-test.
var fixedNow = time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC)

func newClient(timeout time.Duration) *http.Client {
	return collectors.NewHTTPClient(timeout, collectors.TransportOptions{
		Retries: 1,
		Sleep:   func(context.Context, time.Duration) error { return nil },
		Now:     func() time.Time { return fixedNow },
	})
}

func newTestCollector(t *testing.T, h http.Handler, concurrency int) *Collector {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c := NewCollector(Config{BaseURL: srv.URL + "/", Concurrency: concurrency}, newClient(5*time.Second))
	c.now = func() time.Time { return fixedNow }
	return c
}

// fixtureHandler serves the files in dir under OKX's paths, checking the
// query the collector must send.
func fixtureHandler(t *testing.T, files map[string]string) http.Handler {
	t.Helper()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := files[r.URL.Path+"?"+r.URL.RawQuery]
		if !ok {
			t.Errorf("unexpected request %s", r.URL)
			http.NotFound(w, r)
			return
		}
		body, err := os.ReadFile(name)
		if err != nil {
			t.Errorf("read fixture: %v", err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
}

var ownFixtures = map[string]string{
	"/api/v5/public/instruments?instType=SWAP":   filepath.Join("testdata", "instruments.json"),
	"/api/v5/public/funding-rate?instId=ANY":     filepath.Join("testdata", "funding-any.json"),
	"/api/v5/market/tickers?instType=SWAP":       filepath.Join("testdata", "tickers.json"),
	"/api/v5/public/open-interest?instType=SWAP": filepath.Join("testdata", "open-interest.json"),
}

func TestCollectGolden(t *testing.T) {
	c := newTestCollector(t, fixtureHandler(t, ownFixtures), 0)
	for _, kind := range marketKinds {
		t.Run(string(kind), func(t *testing.T) {
			snap := collectors.Pull(context.Background(), c, kind, time.Now)
			if snap.Err != nil {
				t.Fatal(snap.Err)
			}
			got, err := json.MarshalIndent(snap.Records, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", string(kind)+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
				t.Errorf("records differ from %s (go test -update rewrites it):\n%s", golden, got)
			}
		})
	}
}

func TestInstrumentStatesAndUnits(t *testing.T) {
	c := newTestCollector(t, fixtureHandler(t, ownFixtures), 0)
	recs, err := collectors.Collect(context.Background(), c, collectors.KindInstruments)
	if err != nil {
		t.Fatal(err)
	}
	bySymbol := map[string]collectors.Instrument{}
	for _, in := range recs.Instruments {
		bySymbol[in.Symbol] = in
	}
	tests := []struct {
		symbol, unified, nativeType, margin string
		status                              collectors.Status
		native                              string
		contractSize                        float64
	}{
		{"BTC-USDT-SWAP", "BTC/USDT:USDT", "SWAP", collectors.Linear, collectors.StatusTrading, "live", 0.01},
		{"BTC-USD-SWAP", "BTC/USD:BTC", "SWAP", collectors.Inverse, collectors.StatusTrading, "live", 100},
		{"PEPE-USDT-SWAP", "PEPE/USDT:USDT", "SWAP", collectors.Linear, collectors.StatusTrading, "live", 1e7},
		{"NEWX-USDT-SWAP", "NEWX/USDT:USDT", "SWAP/pre_market", collectors.Linear, collectors.StatusPrelaunch, "preopen", 10},
		{"OLDX-USDT-SWAP", "OLDX/USDT:USDT", "SWAP", collectors.Linear, collectors.StatusSuspended, "suspend", 1},
		{"TSTX-USDT-SWAP", "TSTX/USDT:USDT", "SWAP", collectors.Linear, collectors.StatusUnknown, "test", 1},
	}
	if len(recs.Instruments) != len(tests) {
		t.Errorf("got %d instruments, want %d", len(recs.Instruments), len(tests))
	}
	for _, tt := range tests {
		in, ok := bySymbol[tt.symbol]
		if !ok {
			t.Errorf("%s missing", tt.symbol)
			continue
		}
		if in.Unified != tt.unified || in.NativeType != tt.nativeType || in.Margin != tt.margin ||
			in.Status != tt.status || in.NativeStatus != tt.native || in.ContractSize != tt.contractSize || in.Multiplier != 1 {
			t.Errorf("%s = %+v, want unified %s type %s margin %s status %s/%s size %g multiplier 1",
				tt.symbol, in, tt.unified, tt.nativeType, tt.margin, tt.status, tt.native, tt.contractSize)
		}
	}
}

// realdata returns the path of a captured payload, skipping when absent.
func realdata(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "realdata", "okx", name)
	if _, err := os.Stat(p); err != nil {
		t.Skip("../shared/realdata not found: " + p)
	}
	return p
}

func TestRealCaptures(t *testing.T) {
	c := newTestCollector(t, fixtureHandler(t, map[string]string{
		"/api/v5/public/instruments?instType=SWAP": realdata(t, "nautilus-http_get_instruments_swap.json"),
		"/api/v5/public/funding-rate?instId=ANY":   realdata(t, "public-funding-rate-BTC-USDT-SWAP.json"),
	}), 0)

	recs, err := collectors.Collect(context.Background(), c, collectors.KindInstruments)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]collectors.Instrument{
		"BTC-USD-SWAP": {Exchange: "okx", Symbol: "BTC-USD-SWAP", Unified: "BTC/USD:BTC", Base: "BTC", Quote: "USD", Settle: "BTC",
			Multiplier: 1, ContractType: collectors.Perpetual, NativeType: "SWAP", Margin: collectors.Inverse,
			Status: collectors.StatusTrading, NativeStatus: "live", ContractSize: 100, TickSize: 0.1, LotSize: 1, MinQty: 1,
			MaxLeverage: 100, ListedAt: time.UnixMilli(1535424203000).UTC()},
		"ETH-USDT-SWAP": {Exchange: "okx", Symbol: "ETH-USDT-SWAP", Unified: "ETH/USDT:USDT", Base: "ETH", Quote: "USDT", Settle: "USDT",
			Multiplier: 1, ContractType: collectors.Perpetual, NativeType: "SWAP", Margin: collectors.Linear,
			Status: collectors.StatusTrading, NativeStatus: "live", ContractSize: 0.1, TickSize: 0.01, LotSize: 0.01, MinQty: 0.01,
			MaxLeverage: 100, ListedAt: time.UnixMilli(1573557408000).UTC()},
	}
	if len(recs.Instruments) != 3 {
		t.Errorf("got %d instruments, want 3", len(recs.Instruments))
	}
	for _, in := range recs.Instruments {
		if w, ok := want[in.Symbol]; ok && in != w {
			t.Errorf("%s:\n got %+v\nwant %+v", in.Symbol, in, w)
		}
	}

	recs, err = collectors.Collect(context.Background(), c, collectors.KindFunding)
	if err != nil {
		t.Fatal(err)
	}
	wantFunding := collectors.Funding{Exchange: "okx", Symbol: "BTC-USDT-SWAP", Unified: "BTC/USDT:USDT",
		Rate: 0.0000616430459607, IntervalHours: 8, Cap: 0.00375, Floor: -0.00375,
		NextFundingAt: time.UnixMilli(1785571200000).UTC(), ObservedAt: time.UnixMilli(1785548167559).UTC()}
	if len(recs.Funding) != 1 || recs.Funding[0] != wantFunding {
		t.Errorf("funding:\n got %+v\nwant [%+v]", recs.Funding, wantFunding)
	}
}

// testWorld is a small OKX world with the cases that matter: a multiplier
// coin (1000PEPE, plain PEPE on OKX), an inverse swap, a 4h interval, a
// pre-open and a suspended listing.
func testWorld() *exchangetest.World {
	w := exchangetest.Generate(7, time.Date(2026, 3, 1, 13, 17, 5, 123e6, time.UTC), 0, 0, 12)
	w.OKX[0].ContractSize = 0.01
	w.OKX[1].ContractSize = 0.1
	w.OKX[3].FundingIntervalHours = 4
	w.OKX[4].FundingIntervalHours = 8
	w.OKX[5].Status = collectors.StatusPrelaunch
	w.OKX[6].Status = collectors.StatusSuspended
	return w // Generate adds the BTC and ETH inverse swaps
}

func okxSymbol(l exchangetest.Listing) string {
	return collectors.Coin(l.Base) + "-" + l.Quote + "-SWAP"
}

func near(got, want float64) bool {
	return math.Abs(got-want) <= 1e-6*math.Max(math.Abs(want), 1e-12)
}

func TestSimRoundTrip(t *testing.T) {
	w := testWorld()
	c := newTestCollector(t, exchangetest.Handler(w, exchangetest.Options{}), 0)
	model := map[string]exchangetest.Listing{}
	traded := 0
	for _, l := range w.OKX {
		model[okxSymbol(l)] = l
		if l.Status != collectors.StatusPrelaunch {
			traded++
		}
	}
	if model["PEPE-USDT-SWAP"].Base != "1000PEPE" {
		t.Fatal("the test world lost its 1000PEPE listing")
	}

	tests := []struct {
		kind          collectors.Kind
		requests, len int
	}{
		{collectors.KindInstruments, 1, len(w.OKX)},
		{collectors.KindFunding, 1, traded},
		{collectors.KindMarket, 3, traded},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			snap := collectors.Pull(context.Background(), c, tt.kind, time.Now)
			if snap.Err != nil {
				t.Fatal(snap.Err)
			}
			if snap.Requests != tt.requests {
				t.Errorf("requests = %d, want %d", snap.Requests, tt.requests)
			}
			if n := snap.Records.Len(); n != tt.len {
				t.Errorf("records = %d, want %d", n, tt.len)
			}
			for _, in := range snap.Records.Instruments {
				checkInstrument(t, in, model[in.Symbol])
			}
			for _, f := range snap.Records.Funding {
				checkFunding(t, w.Now, f, model[f.Symbol])
			}
			for _, m := range snap.Records.Market {
				checkMarket(t, w.Now, m, model[m.Symbol])
			}
		})
	}
}

func checkInstrument(t *testing.T, in collectors.Instrument, l exchangetest.Listing) {
	t.Helper()
	mult := collectors.Multiplier(l.Base)
	wantSize := l.ContractSize * mult
	if l.Inverse() {
		wantSize = l.ContractSize
	}
	if in.Unified != collectors.Unified(collectors.Coin(l.Base), l.Quote, l.Settle) || in.Status != l.Status ||
		in.Multiplier != 1 || !near(in.ContractSize, wantSize) || !near(in.TickSize*mult, l.TickSize) ||
		in.MaxLeverage != l.MaxLeverage || !in.ListedAt.Equal(l.ListedAt) {
		t.Errorf("%s = %+v, model %+v", in.Symbol, in, l)
	}
	if !l.Inverse() && !near(in.LotSize*in.ContractSize/mult, l.LotSize) {
		t.Errorf("%s lot %g contracts × %g = %g coins, model %g", in.Symbol, in.LotSize, in.ContractSize, in.LotSize*in.ContractSize, l.LotSize)
	}
}

func checkFunding(t *testing.T, now time.Time, f collectors.Funding, l exchangetest.Listing) {
	t.Helper()
	interval := time.Duration(l.FundingIntervalHours * float64(time.Hour))
	if f.Unified != collectors.Unified(collectors.Coin(l.Base), l.Quote, l.Settle) || !near(f.Rate, l.FundingRate) ||
		f.IntervalHours != l.FundingIntervalHours || f.Cap != l.FundingCap || f.Floor != l.FundingFloor ||
		!f.NextFundingAt.After(now) || f.NextFundingAt.Sub(now) > interval || !f.ObservedAt.Equal(now) {
		t.Errorf("%s = %+v, model %+v at %s", f.Symbol, f, l, now)
	}
}

func checkMarket(t *testing.T, now time.Time, m collectors.MarketStat, l exchangetest.Listing) {
	t.Helper()
	if m.Unified != collectors.Unified(collectors.Coin(l.Base), l.Quote, l.Settle) ||
		!near(m.LastPrice*collectors.Multiplier(l.Base), l.Price) || !near(m.Volume24hUSD, l.Volume24hUSD) ||
		!near(m.OpenInterestUSD, l.OpenInterestUSD) || !m.ObservedAt.Equal(now) {
		t.Errorf("%s = %+v, model price %g volume %g OI %g", m.Symbol, m, l.Price, l.Volume24hUSD, l.OpenInterestUSD)
	}
}

// refuseANY answers instId=ANY as OKX did when it stopped serving it, and
// lets fail decide about the per-instrument requests.
type refuseANY struct {
	next       http.Handler
	anyStatus  int
	fail       func(w http.ResponseWriter, instID string) bool
	mu         sync.Mutex
	perInst    map[string]int
	otherPaths int
}

func (h *refuseANY) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	instID := r.URL.Query().Get("instId")
	if r.URL.Path != pathFundingRate {
		h.mu.Lock()
		h.otherPaths++
		h.mu.Unlock()
		h.next.ServeHTTP(w, r)
		return
	}
	if instID == "ANY" {
		w.WriteHeader(h.anyStatus)
		w.Write([]byte(`{"code":"51000","msg":"Parameter instId error","data":[]}`))
		return
	}
	h.mu.Lock()
	h.perInst[instID]++
	h.mu.Unlock()
	if h.fail != nil && h.fail(w, instID) {
		return
	}
	h.next.ServeHTTP(w, r)
}

func TestFundingFallback(t *testing.T) {
	w := testWorld()
	direct := collectors.Pull(context.Background(), newTestCollector(t, exchangetest.Handler(w, exchangetest.Options{}), 0), collectors.KindFunding, time.Now)
	if direct.Err != nil {
		t.Fatal(direct.Err)
	}
	var want []collectors.Funding
	live := map[string]int{}
	for _, l := range w.OKX {
		if l.Status == collectors.StatusTrading {
			live[okxSymbol(l)] = 1
		}
	}
	for _, f := range direct.Records.Funding {
		if live[f.Symbol] == 1 {
			want = append(want, f)
		}
	}

	for _, status := range []int{http.StatusBadRequest, http.StatusOK} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			h := &refuseANY{next: exchangetest.Handler(w, exchangetest.Options{}), anyStatus: status, perInst: map[string]int{}}
			snap := collectors.Pull(context.Background(), newTestCollector(t, h, 4), collectors.KindFunding, time.Now)
			if snap.Err != nil {
				t.Fatal(snap.Err)
			}
			if len(snap.Records.Funding) != len(want) {
				t.Fatalf("got %d records, want %d", len(snap.Records.Funding), len(want))
			}
			for i := range want {
				if snap.Records.Funding[i] != want[i] {
					t.Errorf("record %d:\n got %+v\nwant %+v", i, snap.Records.Funding[i], want[i])
				}
			}
			if !equalCounts(h.perInst, live) || h.otherPaths != 1 {
				t.Errorf("per-instrument requests %v and %d others, want each live instrument once %v and 1 instruments list",
					h.perInst, h.otherPaths, live)
			}
			if wantReq := 2 + len(live); snap.Requests != wantReq {
				t.Errorf("requests = %d, want %d", snap.Requests, wantReq)
			}
		})
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestFundingFallbackFailure(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   collectors.ErrorKind
	}{
		{"unknown instrument", http.StatusOK, `{"code":"51001","msg":"Instrument ID does not exist","data":[]}`, collectors.ErrAPI},
		{"server error", http.StatusBadGateway, `bad gateway`, collectors.ErrServer},
		{"empty", http.StatusOK, `{"code":"0","msg":"","data":[]}`, collectors.ErrEmpty},
		{"rate limited", http.StatusTooManyRequests, `{"code":"50011","msg":"Too Many Requests","data":[]}`, collectors.ErrRateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := testWorld()
			victim := okxSymbol(w.OKX[2])
			h := &refuseANY{next: exchangetest.Handler(w, exchangetest.Options{}), anyStatus: http.StatusBadRequest, perInst: map[string]int{},
				fail: func(rw http.ResponseWriter, instID string) bool {
					if instID != victim {
						return false
					}
					rw.Header().Set("Retry-After", "30")
					rw.WriteHeader(tt.status)
					rw.Write([]byte(tt.body))
					return true
				}}
			recs, err := collectors.Collect(context.Background(), newTestCollector(t, h, 2), collectors.KindFunding)
			if got := collectors.KindOf(err); got != tt.want {
				t.Errorf("error kind = %s (%v), want %s", got, err, tt.want)
			}
			if err != nil && !strings.Contains(err.Error(), victim) {
				t.Errorf("error %q does not name %s", err, victim)
			}
			if recs.Len() != 0 {
				t.Errorf("got %d records with an error", recs.Len())
			}
		})
	}
}

// TestFundingFallbackConcurrency holds the first requests until Concurrency
// of them are in flight, which proves the fallback uses the limit it is
// given. That the limit is never passed is proven deterministically by
// TestFanOutLimit; here it is only checked.
func TestFundingFallbackConcurrency(t *testing.T) {
	const limit = 3
	w := testWorld()
	var started, inflight, most atomic.Int64
	full := make(chan struct{})
	var once sync.Once
	h := &refuseANY{next: exchangetest.Handler(w, exchangetest.Options{}), anyStatus: http.StatusBadRequest, perInst: map[string]int{},
		fail: func(rw http.ResponseWriter, instID string) bool {
			n := inflight.Add(1)
			defer inflight.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			if s := started.Add(1); s <= limit {
				if s == limit {
					once.Do(func() { close(full) })
				}
				<-full
			}
			return false
		}}
	recs, err := collectors.Collect(context.Background(), newTestCollector(t, h, limit), collectors.KindFunding)
	if err != nil {
		t.Fatal(err)
	}
	if started.Load() < limit+1 {
		t.Fatalf("only %d per-instrument requests; the test world needs more than %d live instruments", started.Load(), limit)
	}
	if got := most.Load(); got != limit {
		t.Errorf("at most %d requests were in flight, want exactly %d", got, limit)
	}
	if len(recs.Funding) != int(started.Load()) {
		t.Errorf("got %d records from %d requests", len(recs.Funding), started.Load())
	}
}

// marketKinds are the kinds these fixtures serve: the market APIs.
// Announcements and yield have tests of their own.
var marketKinds = []collectors.Kind{collectors.KindInstruments, collectors.KindFunding, collectors.KindMarket}
