package exchangetest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

func bybitWorld() *World {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	w := Generate(7, now, 0, 5, 0)
	pre := w.Bybit[4]
	pre.Base, pre.Status, pre.ListedAt = "BIO", collectors.StatusPrelaunch, now.Add(-25*time.Hour)
	fut := w.Bybit[1]
	fut.DeliveryAt = time.Date(2026, 3, 27, 8, 0, 0, 0, time.UTC)
	gone := w.Bybit[2]
	gone.Base, gone.Status = "OLD", collectors.StatusDelisted
	w.Bybit = append(w.Bybit, pre, fut, gone)
	return w
}

type bybitTestEnvelope struct {
	RetCode int             `json:"retCode"`
	RetMsg  string          `json:"retMsg"`
	Result  json.RawMessage `json:"result"`
	Time    int64           `json:"time"`
}

func getBybit(t *testing.T, h http.Handler, target string) bybitTestEnvelope {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: HTTP %d", target, rec.Code)
	}
	var env bybitTestEnvelope
	if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	return env
}

func TestBybitInstrumentsPaging(t *testing.T) {
	w := bybitWorld()
	h := Handler(w, Options{})
	var symbols []string
	cursor, pages := "", 0
	for {
		target := "/v5/market/instruments-info?category=linear&limit=2"
		if cursor != "" {
			target += "&cursor=" + url.QueryEscape(cursor)
		}
		env := getBybit(t, h, target)
		if env.RetCode != 0 || env.Time != w.Now.UnixMilli() {
			t.Fatalf("page %d: retCode %d %q time %d", pages+1, env.RetCode, env.RetMsg, env.Time)
		}
		var page struct {
			List []struct {
				Symbol string `json:"symbol"`
				Status string `json:"status"`
			} `json:"list"`
			NextPageCursor string `json:"nextPageCursor"`
		}
		if err := json.Unmarshal(env.Result, &page); err != nil {
			t.Fatal(err)
		}
		pages++
		for _, in := range page.List {
			if in.Status != "Trading" {
				t.Errorf("%s: status %q under the default filter, want Trading only", in.Symbol, in.Status)
			}
			symbols = append(symbols, in.Symbol)
		}
		if cursor = page.NextPageCursor; cursor == "" || pages > 10 {
			break
		}
	}
	// 5 USDT perps, BIO moved to prelaunch, one dated future; BTC inverse and OLD closed are elsewhere.
	want := []string{"BTCUSDT", "DOGEUSDT", "ETHUSDT", "ETHUSDT-27MAR26", "SOLUSDT", "XRPUSDT"}
	if !slices.Equal(symbols, want) {
		t.Errorf("symbols over %d pages = %v, want %v", pages, symbols, want)
	}
	if pages != 3 {
		t.Errorf("pages = %d, want 3 for 6 symbols at limit 2", pages)
	}
}

func TestBybitStatusFilterAndErrors(t *testing.T) {
	h := Handler(bybitWorld(), Options{})
	tests := []struct {
		target  string
		code    int
		symbols []string
	}{
		{"/v5/market/instruments-info?category=linear&status=PreLaunch", 0, []string{"BIOUSDT"}},
		{"/v5/market/instruments-info?category=linear&status=Closed", 0, []string{"OLDUSDT"}},
		{"/v5/market/instruments-info?category=inverse", 0, []string{"BTCUSD", "ETHUSD"}},
		{"/v5/market/instruments-info?category=linear&symbol=ETHUSDT", 0, []string{"ETHUSDT"}},
		{"/v5/market/tickers?category=inverse", 0, []string{"BTCUSD", "ETHUSD"}},
		{"/v5/market/tickers?category=linear&symbol=BIOUSDT", 0, []string{"BIOUSDT"}},
		{"/v5/market/instruments-info?category=spot", 10001, nil},
		{"/v5/market/instruments-info?category=linear&limit=1001", 10001, nil},
		{"/v5/market/instruments-info?category=linear&status=Paused", 10001, nil},
		{"/v5/market/instruments-info?category=linear&cursor=garbage", 10001, nil},
		{"/v5/market/tickers", 10001, nil},
	}
	for _, tt := range tests {
		env := getBybit(t, h, tt.target)
		if env.RetCode != tt.code {
			t.Errorf("%s: retCode %d (%s), want %d", tt.target, env.RetCode, env.RetMsg, tt.code)
			continue
		}
		var res struct {
			List []struct {
				Symbol string `json:"symbol"`
			} `json:"list"`
		}
		if err := json.Unmarshal(env.Result, &res); err != nil {
			t.Fatalf("%s: %v", tt.target, err)
		}
		var got []string
		for _, l := range res.List {
			got = append(got, l.Symbol)
		}
		if !slices.Equal(got, tt.symbols) {
			t.Errorf("%s: symbols %v, want %v", tt.target, got, tt.symbols)
		}
	}
}

// TestBybitShapesMatchRealCaptures checks that the simulator sends every
// field Bybit sends, with the same JSON types (string vs number vs bool).
func TestBybitShapesMatchRealCaptures(t *testing.T) {
	h := Handler(bybitWorld(), Options{})
	tests := []struct{ capture, target string }{
		{"v5-market-instruments-info-linear.json", "/v5/market/instruments-info?category=linear&symbol=BTCUSDT"},
		{"v5-market-instruments-info-linear-prelaunch.json", "/v5/market/instruments-info?category=linear&status=PreLaunch"},
		{"v5-market-tickers-inverse.json", "/v5/market/tickers?category=inverse"},
	}
	for _, tt := range tests {
		path := filepath.Join("..", "..", "..", "shared", "realdata", "bybit", tt.capture)
		real, err := os.ReadFile(path)
		if err != nil {
			t.Skip("../shared/realdata not found: " + err.Error())
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.target, nil))
		want, got := jsonShape(t, real), jsonShape(t, rec.Body.Bytes())
		for k, typ := range want {
			if got[k] != typ {
				t.Errorf("%s: %s is %q, want %q as in %s", tt.target, k, got[k], typ, tt.capture)
			}
		}
	}
}

// jsonShape maps each key path of a payload (list items merged) to its JSON type.
func jsonShape(t *testing.T, body []byte) map[string]string {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	shape := map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			shape[prefix] = "object"
			for k, e := range x {
				walk(prefix+"."+k, e)
			}
		case []any:
			shape[prefix] = "array"
			for _, e := range x {
				walk(prefix+"[]", e)
			}
		case string:
			shape[prefix] = "string"
		case float64:
			shape[prefix] = "number"
		case bool:
			shape[prefix] = "bool"
		case nil:
			if _, ok := shape[prefix]; !ok {
				shape[prefix] = "null"
			}
		}
	}
	walk("", v)
	return shape
}
