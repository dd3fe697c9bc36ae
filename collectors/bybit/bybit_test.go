package bybit

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/exchangetest"
)

var testNow = time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC)

// newClient builds the production transport with a fixed clock and a sleep
// that returns at once, so retries and Retry-After cooldowns never wait.
func newClient(timeout time.Duration) *http.Client {
	return collectors.NewHTTPClient(timeout, collectors.TransportOptions{
		Retries: 1,
		Sleep:   func(context.Context, time.Duration) error { return nil },
		Now:     func() time.Time { return testNow },
	})
}

// simWorld has more linear listings than one page of 10 holds, the
// generated inverse perpetuals, plus USDC, dated, pre-market, delivering
// and closed contracts.
func simWorld() *exchangetest.World {
	w := exchangetest.Generate(11, testNow, 0, 25, 0)
	g := w.Bybit
	inverse := func(l exchangetest.Listing) exchangetest.Listing {
		l.Quote, l.Settle = "USD", l.Base
		return l
	}
	with := func(l exchangetest.Listing, base string, status collectors.Status) exchangetest.Listing {
		l.Base, l.Status = base, status
		l.ListedAt = testNow.Add(-2 * time.Hour)
		return l
	}
	invFuture := inverse(g[0])
	invFuture.DeliveryAt = time.Date(2026, 6, 26, 8, 0, 0, 0, time.UTC)
	future := g[1]
	future.DeliveryAt = time.Date(2026, 3, 27, 8, 0, 0, 0, time.UTC)
	usdc := g[2]
	usdc.Quote, usdc.Settle = "USDC", "USDC"
	w.Bybit = append(w.Bybit, invFuture, future, usdc, // the generated world has the inverse perpetuals
		with(g[20], "BIO", collectors.StatusPrelaunch), with(g[21], "1000NEWT", collectors.StatusPrelaunch),
		with(g[22], "OLDA", collectors.StatusSettling), with(g[23], "OLDB", collectors.StatusDelisted))
	return w
}

// The model's view of what the collector should report.

func visible(l exchangetest.Listing) bool {
	return l.Status == collectors.StatusTrading || l.Status == collectors.StatusPrelaunch
}

func wantInstrument(l exchangetest.Listing) collectors.Instrument {
	in := collectors.Instrument{
		Exchange: "bybit", Symbol: exchangetest.BybitSymbol(l), Unified: collectors.Unified(l.Base, l.Quote, l.Settle),
		Base: l.Base, Quote: l.Quote, Settle: l.Settle, Multiplier: collectors.Multiplier(l.Base),
		ContractType: collectors.Perpetual, NativeType: "LinearPerpetual", Margin: collectors.Linear,
		Status: l.Status, NativeStatus: map[collectors.Status]string{collectors.StatusTrading: "Trading", collectors.StatusPrelaunch: "PreLaunch"}[l.Status],
		ContractSize: 1, TickSize: l.TickSize, LotSize: l.LotSize, MinQty: l.LotSize, MinNotional: l.MinNotional,
		MaxLeverage: l.MaxLeverage, FundingIntervalHours: l.FundingIntervalHours,
		FundingCap: l.FundingCap, FundingFloor: l.FundingFloor, ListedAt: l.ListedAt, DeliveryAt: l.DeliveryAt,
	}
	switch {
	case l.Inverse() && l.DeliveryAt.IsZero():
		in.NativeType, in.Margin = "InversePerpetual", collectors.Inverse
	case l.Inverse():
		in.NativeType, in.Margin, in.ContractType = "InverseFutures", collectors.Inverse, collectors.Delivery
	case !l.DeliveryAt.IsZero():
		in.NativeType, in.ContractType = "LinearFutures", collectors.Delivery
	}
	return in
}

func wantRecords(w *exchangetest.World, kind collectors.Kind) collectors.Records {
	var r collectors.Records
	for _, l := range w.Bybit {
		if !visible(l) {
			continue // hidden from instruments-info, so its tickers are skipped too
		}
		in := wantInstrument(l)
		perp := in.ContractType == collectors.Perpetual
		switch {
		case kind == collectors.KindInstruments:
			r.Instruments = append(r.Instruments, in)
		case kind == collectors.KindFunding && perp && l.Status == collectors.StatusTrading:
			interval := time.Duration(l.FundingIntervalHours) * time.Hour
			r.Funding = append(r.Funding, collectors.Funding{
				Exchange: "bybit", Symbol: in.Symbol, Unified: in.Unified, Rate: l.FundingRate,
				IntervalHours: l.FundingIntervalHours, Cap: l.FundingCap, Floor: l.FundingFloor,
				NextFundingAt: w.Now.Truncate(interval).Add(interval), MarkPrice: l.Price, ObservedAt: w.Now,
			})
		case kind == collectors.KindMarket && perp:
			r.Market = append(r.Market, collectors.MarketStat{
				Exchange: "bybit", Symbol: in.Symbol, Unified: in.Unified, LastPrice: l.Price,
				Volume24hUSD: l.Volume24hUSD, OpenInterestUSD: l.OpenInterestUSD, ObservedAt: w.Now,
			})
		}
	}
	slices.SortFunc(r.Instruments, func(a, b collectors.Instrument) int { return strings.Compare(a.Symbol, b.Symbol) })
	slices.SortFunc(r.Funding, func(a, b collectors.Funding) int { return strings.Compare(a.Symbol, b.Symbol) })
	slices.SortFunc(r.Market, func(a, b collectors.MarketStat) int { return strings.Compare(a.Symbol, b.Symbol) })
	return r
}

func TestCollectMatchesSimulatedWorld(t *testing.T) {
	w := simWorld()
	srv := httptest.NewServer(exchangetest.Handler(w, exchangetest.Options{}))
	defer srv.Close()
	c := NewCollector(Config{BaseURL: srv.URL, PageLimit: 10}, newClient(5*time.Second))

	// instruments: 27 linear Trading symbols are 3 pages of 10, inverse and
	// prelaunch one page each; funding and market add two ticker requests.
	tests := []struct {
		kind     collectors.Kind
		requests int
		items    int
	}{
		{collectors.KindInstruments, 5, 32},
		{collectors.KindFunding, 7, 28},
		{collectors.KindMarket, 7, 30},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			snap := collectors.Pull(t.Context(), c, tt.kind, func() time.Time { return testNow })
			if snap.Err != nil {
				t.Fatal(snap.Err)
			}
			if snap.Requests != tt.requests {
				t.Errorf("requests = %d, want %d", snap.Requests, tt.requests)
			}
			if n := snap.Records.Len(); n != tt.items {
				t.Errorf("records = %d, want %d", n, tt.items)
			}
			compareRecords(t, snap.Records, wantRecords(w, tt.kind))
		})
	}
}

func compareRecords(t *testing.T, got, want collectors.Records) {
	t.Helper()
	diff := func(name string, got, want any) {
		g, w := reflect.ValueOf(got), reflect.ValueOf(want)
		if g.Len() != w.Len() {
			t.Errorf("%s: got %d records, want %d", name, g.Len(), w.Len())
		}
		for i := range min(g.Len(), w.Len()) {
			if !reflect.DeepEqual(g.Index(i).Interface(), w.Index(i).Interface()) {
				t.Errorf("%s[%d]:\n got %+v\nwant %+v", name, i, g.Index(i).Interface(), w.Index(i).Interface())
			}
		}
	}
	diff("instruments", got.Instruments, want.Instruments)
	diff("funding", got.Funding, want.Funding)
	diff("market", got.Market, want.Market)
}

// TestFailuresAreNotChanges checks that every way a pull can go wrong ends
// in an error of its own kind and no records, never in a short list.
func TestFailuresAreNotChanges(t *testing.T) {
	all := marketKinds
	linearList := func(r *http.Request) bool {
		q := r.URL.Query()
		return r.URL.Path == instrumentsPath && q.Get("category") == "linear" && q.Get("status") == ""
	}
	always := func(*http.Request) bool { return true }
	status := func(code int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(code)
			fmt.Fprint(w, body)
		}
	}
	body := func(s string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, s)
		}
	}
	oneInstrument := `{"retCode":0,"retMsg":"OK","result":{"category":"linear","list":[{"symbol":"BTCUSDT","contractType":"LinearPerpetual","status":"Trading","baseCoin":"BTC","quoteCoin":"USDT","settleCoin":"USDT","launchTime":"1585526400000","deliveryTime":"0","fundingInterval":480%s}],"nextPageCursor":"%s"},"retExtInfo":{},"time":1772368200000}`
	tests := []struct {
		name    string
		match   func(*http.Request) bool
		fail    http.HandlerFunc
		kinds   []collectors.Kind
		timeout time.Duration
		want    collectors.ErrorKind
		text    string
	}{
		{name: "403 too frequent", match: always, fail: status(403, `{"retCode":403,"retMsg":"access too frequent"}`),
			want: collectors.ErrRateLimited, text: "HTTP 403"},
		{name: "403 geo", match: always, fail: status(403, "Forbidden"), want: collectors.ErrGeoBlocked, text: "HTTP 403"},
		{name: "500", match: always, fail: status(500, "internal error"), want: collectors.ErrServer, text: "HTTP 500"},
		{name: "503 on tickers only", match: func(r *http.Request) bool { return r.URL.Path == tickersPath },
			fail: status(503, "maintenance"), kinds: []collectors.Kind{collectors.KindFunding, collectors.KindMarket},
			want: collectors.ErrServer, text: "tickers"},
		{name: "timeout", match: always, timeout: 50 * time.Millisecond,
			fail: func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, want: collectors.ErrTimeout},
		{name: "HTML page", match: always, fail: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<!DOCTYPE html><html><title>Just a moment...</title></html>")
		}, want: collectors.ErrNotJSON},
		{name: "HTML sent as JSON", match: always, fail: body("<html><body>maintenance</body></html>"), want: collectors.ErrNotJSON},
		{name: "truncated JSON", match: always, fail: body(`{"retCode":0,"retMsg":"OK","result":{"list":[{"symbol":"BTC`),
			want: collectors.ErrTruncated},
		{name: "body shorter than Content-Length", match: always, fail: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "5000")
			fmt.Fprint(w, `{"retCode":0,"result":{"list":[`)
		}, want: collectors.ErrTruncated},
		{name: "retCode params error", match: always, fail: body(`{"retCode":10001,"retMsg":"params error","result":{},"retExtInfo":{},"time":1}`),
			want: collectors.ErrAPI, text: "retCode 10001: params error"},
		{name: "retCode too many visits", match: always, fail: body(`{"retCode":10006,"retMsg":"Too many visits!","result":{},"time":1}`),
			want: collectors.ErrRateLimited, text: "retCode 10006"},
		{name: "no envelope", match: always, fail: body(`{"code":"0","data":[]}`), want: collectors.ErrMalformed, text: "no retCode"},
		{name: "no result", match: always, fail: body(`{"retCode":0,"retMsg":"OK","result":null,"time":1}`),
			want: collectors.ErrMalformed, text: "no result"},
		{name: "empty linear list", match: linearList,
			fail: body(`{"retCode":0,"retMsg":"OK","result":{"category":"linear","list":[],"nextPageCursor":""},"time":1}`),
			want: collectors.ErrEmpty, text: "linear instruments"},
		{name: "empty inverse list", match: func(r *http.Request) bool {
			return r.URL.Path == instrumentsPath && r.URL.Query().Get("category") == "inverse"
		}, fail: body(`{"retCode":0,"retMsg":"OK","result":{"category":"inverse","list":[],"nextPageCursor":""},"time":1}`),
			want: collectors.ErrEmpty, text: "inverse instruments"},
		{name: "empty linear tickers", match: func(r *http.Request) bool {
			return r.URL.Path == tickersPath && r.URL.Query().Get("category") == "linear"
		}, fail: body(`{"retCode":0,"retMsg":"OK","result":{"category":"linear","list":[]},"time":1}`),
			kinds: []collectors.Kind{collectors.KindFunding, collectors.KindMarket}, want: collectors.ErrEmpty, text: "linear tickers"},
		{name: "page 2 fails", match: func(r *http.Request) bool { return linearList(r) && r.URL.Query().Get("cursor") != "" },
			fail: status(502, "bad gateway"), want: collectors.ErrServer, text: "linear instruments page 2"},
		{name: "cursor loop", match: linearList, fail: body(fmt.Sprintf(oneInstrument, "", "again")),
			want: collectors.ErrMalformed, text: "repeats"},
		{name: "endless cursor", match: linearList, fail: func(w http.ResponseWriter, r *http.Request) {
			body(fmt.Sprintf(oneInstrument, "", r.URL.Query().Get("cursor")+"x"))(w, r)
		}, want: collectors.ErrMalformed, text: "after 100 pages"},
		{name: "bad number", match: linearList, fail: body(fmt.Sprintf(oneInstrument, `,"priceFilter":{"tickSize":"0,1"}`, "")),
			want: collectors.ErrMalformed, text: `BTCUSDT tickSize is not a number: "0,1"`},
		{name: "bool for a number", match: linearList, fail: body(fmt.Sprintf(oneInstrument, `,"upperFundingRate":true`, "")),
			want: collectors.ErrMalformed},
	}
	w := simWorld()
	good := exchangetest.Handler(w, exchangetest.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				if tt.match(r) {
					tt.fail(rw, r)
					return
				}
				good.ServeHTTP(rw, r)
			}))
			defer srv.Close()
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			kinds := tt.kinds
			if kinds == nil {
				kinds = all
			}
			for _, kind := range kinds {
				// A fresh client per pull, so one pull's rate-limit
				// cooldown does not decide the next one's error.
				c := NewCollector(Config{BaseURL: srv.URL, PageLimit: 10}, newClient(timeout))
				recs, err := collectors.Collect(t.Context(), c, kind)
				if err == nil {
					t.Fatalf("%s: no error, %d records", kind, recs.Len())
				}
				t.Logf("%s: %v", kind, err)
				if got := collectors.KindOf(err); got != tt.want {
					t.Errorf("%s: kind %s, want %s (%v)", kind, got, tt.want, err)
				}
				if !strings.Contains(err.Error(), tt.text) {
					t.Errorf("%s: error %q does not mention %q", kind, err, tt.text)
				}
				if recs.Len() != 0 {
					t.Errorf("%s: %d records with an error", kind, recs.Len())
				}
			}
		})
	}
}

// TestRateLimitStopsRequests checks that a 429 with Retry-After costs at
// most one request per concurrent list, and that the next pull within the
// wait sends nothing at all.
func TestRateLimitStopsRequests(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	// Count what the transport sends, not what the server sees: a request
	// of the first pull cancelled in flight may reach the server late.
	sent := &countingTransport{next: collectors.NewBaseTransport()}
	client := collectors.NewHTTPClient(5*time.Second, collectors.TransportOptions{
		Retries: 1, Base: sent,
		Sleep: func(context.Context, time.Duration) error { return nil },
		Now:   func() time.Time { return testNow },
	})
	c := NewCollector(Config{BaseURL: srv.URL}, client)

	recs, err := collectors.Collect(t.Context(), c, collectors.KindFunding)
	if got := collectors.KindOf(err); got != collectors.ErrRateLimited {
		t.Fatalf("kind %s, want rate_limited (%v)", got, err)
	}
	if recs.Len() != 0 {
		t.Errorf("%d records with an error", recs.Len())
	}
	// Funding starts three instrument lists and two ticker lists at once.
	if n := sent.n.Load(); n < 1 || n > 5 {
		t.Errorf("first pull sent %d requests, want 1 to 5 (no retries, no page 2)", n)
	}
	before := sent.n.Load()
	_, err = collectors.Collect(t.Context(), c, collectors.KindInstruments)
	if got := collectors.KindOf(err); got != collectors.ErrRateLimited {
		t.Errorf("second pull: kind %s, want rate_limited (%v)", got, err)
	}
	if n := sent.n.Load() - before; n != 0 {
		t.Errorf("second pull within Retry-After sent %d requests, want 0", n)
	}
}

// countingTransport counts the requests it passes on.
type countingTransport struct {
	next http.RoundTripper
	n    atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

func TestNewCollectorDefaults(t *testing.T) {
	tests := []struct {
		cfg   Config
		base  string
		limit int
	}{
		{Config{}, DefaultBaseURL, 1000},
		{Config{BaseURL: "http://replay:8080/", PageLimit: 200}, "http://replay:8080", 200},
		{Config{PageLimit: 5000}, DefaultBaseURL, 1000},
		{Config{PageLimit: -1}, DefaultBaseURL, 1000},
	}
	for _, tt := range tests {
		c := NewCollector(tt.cfg, newClient(time.Second))
		if c.base != tt.base || c.limit != tt.limit || c.Exchange() != "bybit" {
			t.Errorf("NewCollector(%+v): base %q limit %d exchange %q, want %q %d bybit", tt.cfg, c.base, c.limit, c.Exchange(), tt.base, tt.limit)
		}
	}
}

// TestObservedAtFallsBackToOurClock covers an envelope without "time": the
// records then carry our fetch time rather than the zero time.
func TestObservedAtFallsBackToOurClock(t *testing.T) {
	good := exchangetest.Handler(simWorld(), exchangetest.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != tickersPath || r.URL.Query().Get("category") != "linear" {
			good.ServeHTTP(w, r)
			return
		}
		fmt.Fprint(w, `{"retCode":0,"retMsg":"OK","result":{"category":"linear","list":[{"symbol":"BTCUSDT","lastPrice":"50000","markPrice":"50001","fundingRate":"0.0001","nextFundingTime":"1772380800000","fundingIntervalHour":"8","turnover24h":"1000","openInterestValue":"500"}]}}`)
	}))
	defer srv.Close()
	fetched := time.Date(2026, 3, 1, 12, 31, 7, 0, time.UTC)
	c := NewCollector(Config{BaseURL: srv.URL}, newClient(5*time.Second))
	c.now = func() time.Time { return fetched }
	for _, kind := range []collectors.Kind{collectors.KindFunding, collectors.KindMarket} {
		recs, err := collectors.Collect(t.Context(), c, kind)
		if err != nil {
			t.Fatal(err)
		}
		var got []time.Time
		for _, f := range recs.Funding {
			if f.Symbol == "BTCUSDT" {
				got = append(got, f.ObservedAt)
			}
		}
		for _, m := range recs.Market {
			if m.Symbol == "BTCUSDT" {
				got = append(got, m.ObservedAt)
			}
		}
		if len(got) != 1 || !got[0].Equal(fetched) {
			t.Errorf("%s: BTCUSDT observed at %v, want [%v]", kind, got, fetched)
		}
	}
}

// TestSweepFetchesTickersOnce: funding and market both read the tickers;
// a sweep sends each category's request once, not once per kind.
func TestSweepFetchesTickersOnce(t *testing.T) {
	var tickers atomic.Int32
	sh := exchangetest.Handler(simWorld(), exchangetest.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == tickersPath {
			tickers.Add(1)
		}
		sh.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c := NewCollector(Config{BaseURL: srv.URL}, newClient(5*time.Second))
	for _, s := range collectors.Sweep(t.Context(), []collectors.Collector{c}, marketKinds, time.Now, nil) {
		if s.Err != nil {
			t.Fatal(s.Err)
		}
	}
	if n := tickers.Load(); n != 2 {
		t.Errorf("a sweep sent %d ticker requests, want 2 (linear and inverse, shared by funding and market)", n)
	}
}

// marketKinds are the kinds these fixtures serve: the market APIs.
// Announcements and yield have tests of their own.
var marketKinds = []collectors.Kind{collectors.KindInstruments, collectors.KindFunding, collectors.KindMarket}
