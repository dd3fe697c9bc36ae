package exchangetest

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

func binanceGet(t *testing.T, srv *httptest.Server, path string) (int, []byte) {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q, want application/json", path, ct)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func TestBinance(t *testing.T) {
	now := time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)
	w := Generate(1, now, 12, 0, 0)
	w.Binance[3].FundingIntervalHours, w.Binance[3].FundingCap = 8, 0.03
	w.Binance[4].FundingIntervalHours, w.Binance[4].FundingCap = 4, 0.02
	w.Binance[5].FundingIntervalHours, w.Binance[5].FundingCap = 8, 0.02
	w.Binance[6].Status = collectors.StatusPrelaunch
	srv := httptest.NewServer(Handler(w, Options{}))
	defer srv.Close()

	t.Run("deterministic", func(t *testing.T) {
		for _, path := range []string{"/fapi/v1/exchangeInfo", "/fapi/v1/premiumIndex", "/fapi/v1/ticker/24hr", "/dapi/v1/exchangeInfo"} {
			_, a := binanceGet(t, srv, path)
			_, b := binanceGet(t, srv, path)
			if string(a) != string(b) {
				t.Errorf("%s differs between two requests", path)
			}
		}
	})

	t.Run("fundingInfo lists adjusted symbols only", func(t *testing.T) {
		_, body := binanceGet(t, srv, "/fapi/v1/fundingInfo")
		var rows []struct {
			Symbol                 string `json:"symbol"`
			AdjustedFundingRateCap string `json:"adjustedFundingRateCap"`
			FundingIntervalHours   int    `json:"fundingIntervalHours"`
		}
		if err := json.Unmarshal(body, &rows); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, r := range rows {
			got[r.Symbol] = r.AdjustedFundingRateCap
		}
		if got["XRPUSDT"] != "0.03000000" || got["DOGEUSDT"] != "0.02000000" {
			t.Errorf("got %v, want XRPUSDT (cap 0.03) and DOGEUSDT (4h) listed", got)
		}
		if _, ok := got["BNBUSDT"]; ok {
			t.Errorf("BNBUSDT has default funding parameters but is listed")
		}
	})

	t.Run("prelaunch perpetual", func(t *testing.T) {
		_, body := binanceGet(t, srv, "/fapi/v1/exchangeInfo")
		var info struct {
			Symbols []map[string]any `json:"symbols"`
		}
		if err := json.Unmarshal(body, &info); err != nil {
			t.Fatal(err)
		}
		s := info.Symbols[6]
		if s["status"] != "PENDING_TRADING" || s["contractType"] != "" || s["deliveryDate"] != 4133404800000.0 {
			t.Errorf("got %v %q %v, want PENDING_TRADING with contractType \"\" and the 2100 delivery date",
				s["status"], s["contractType"], s["deliveryDate"])
		}
	})

	t.Run("COIN-M", func(t *testing.T) {
		_, body := binanceGet(t, srv, "/dapi/v1/exchangeInfo")
		var info struct {
			Symbols []map[string]any `json:"symbols"`
		}
		if err := json.Unmarshal(body, &info); err != nil {
			t.Fatal(err)
		}
		if len(info.Symbols) != 2 {
			t.Fatalf("got %d COIN-M symbols, want 2 (BTC and ETH)", len(info.Symbols))
		}
		s := info.Symbols[1]
		if s["symbol"] != "ETHUSD_PERP" || s["contractStatus"] != "TRADING" || s["contractSize"] != 10.0 || s["marginAsset"] != "ETH" {
			t.Errorf("got %v", s)
		}
		if _, ok := s["status"]; ok {
			t.Errorf("COIN-M symbols carry contractStatus, not status")
		}
	})

	t.Run("openInterest", func(t *testing.T) {
		for _, tc := range []struct {
			path       string
			wantStatus int
			want       string
		}{
			{"/fapi/v1/openInterest?symbol=BTCUSDT", 200, `"symbol":"BTCUSDT"`},
			{"/fapi/v1/openInterest?symbol=NOPEUSDT", 400, `{"code":-1121,"msg":"Invalid symbol."}`},
			{"/fapi/v1/openInterest?symbol=ETHUSD_PERP", 400, `{"code":-1121,"msg":"Invalid symbol."}`},
			{"/dapi/v1/openInterest?symbol=ETHUSD_PERP", 200, `"symbol":"ETHUSD_PERP"`},
		} {
			status, body := binanceGet(t, srv, tc.path)
			if status != tc.wantStatus || !json.Valid(body) || !strings.Contains(string(body), tc.want) {
				t.Errorf("%s: got %d %s, want %d with %s", tc.path, status, body, tc.wantStatus, tc.want)
			}
		}
	})
}
