package exchangetest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

func okxWorld() *World {
	now := time.Date(2026, 3, 1, 13, 17, 5, 0, time.UTC)
	w := Generate(11, now, 0, 0, 12)
	w.OKX[3].FundingIntervalHours = 4
	pre := w.OKX[5]
	pre.Base, pre.Status = "NEWX", collectors.StatusPrelaunch
	gone := w.OKX[6]
	gone.Base, gone.Status = "OLDX", collectors.StatusDelisted
	fut := w.OKX[7]
	fut.Base, fut.DeliveryAt = "FUTX", now.AddDate(0, 0, 20)
	w.OKX = append(w.OKX, pre, gone, fut)
	return w
}

type okxTestEnvelope struct {
	Code string              `json:"code"`
	Msg  string              `json:"msg"`
	Data []map[string]string `json:"data"`
}

// getOKX fetches target and decodes the rows, with the non-string fields
// (instIdCode, futureSettlement, lists) dropped.
func getOKX(t *testing.T, h http.Handler, target string) (int, okxTestEnvelope, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	body, _ := io.ReadAll(rec.Body)
	var raw struct {
		Code string            `json:"code"`
		Msg  string            `json:"msg"`
		Data []json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatalf("%s: %v: %s", target, err, body)
	}
	env := okxTestEnvelope{Code: raw.Code, Msg: raw.Msg}
	for _, d := range raw.Data {
		var fields map[string]any
		if err := json.Unmarshal(d, &fields); err != nil {
			t.Fatal(err)
		}
		row := map[string]string{}
		for k, v := range fields {
			if s, ok := v.(string); ok {
				row[k] = s
			}
		}
		env.Data = append(env.Data, row)
	}
	return rec.Code, env, body
}

func okxRows(env okxTestEnvelope) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, row := range env.Data {
		out[row["instId"]] = row
	}
	return out
}

func TestOKXInstruments(t *testing.T) {
	w := okxWorld()
	h := Handler(w, Options{})
	_, env, _ := getOKX(t, h, "/api/v5/public/instruments?instType=SWAP")
	rows := okxRows(env)
	if len(rows) != 15 { // 12 generated + 2 inverse + pre-open; not the delisted one nor the future
		t.Errorf("got %d instruments, want 15", len(rows))
	}
	tests := []struct {
		instID, field, want string
	}{
		{"BTC-USD-SWAP", "ctType", "inverse"},
		{"BTC-USD-SWAP", "ctVal", "100"},
		{"BTC-USD-SWAP", "ctValCcy", "USD"},
		{"BTC-USD-SWAP", "settleCcy", "BTC"},
		{"BTC-USD-SWAP", "instFamily", "BTC-USD"},
		{"BTC-USDT-SWAP", "ctType", "linear"},
		{"BTC-USDT-SWAP", "state", "live"},
		{"PEPE-USDT-SWAP", "ctVal", "1000"}, // 1000PEPE in the model: OKX lists the plain coin
		{"PEPE-USDT-SWAP", "ctValCcy", "PEPE"},
		{"NEWX-USDT-SWAP", "state", "preopen"},
	}
	for _, tt := range tests {
		if got := rows[tt.instID][tt.field]; got != tt.want {
			t.Errorf("%s %s = %q, want %q", tt.instID, tt.field, got, tt.want)
		}
	}
	for _, gone := range []string{"OLDX-USDT-SWAP", "FUTX-USDT-SWAP", "1000PEPE-USDT-SWAP"} {
		if _, ok := rows[gone]; ok {
			t.Errorf("%s listed", gone)
		}
	}
}

func TestOKXFunding(t *testing.T) {
	w := okxWorld()
	h := Handler(w, Options{})
	_, env, _ := getOKX(t, h, "/api/v5/public/funding-rate?instId=ANY")
	rows := okxRows(env)
	if len(rows) != 14 { // 12 + 2 inverse, without the pre-open swap
		t.Errorf("ANY gave %d rows, want 14", len(rows))
	}
	for _, l := range w.OKX {
		if !okxTraded(l) {
			continue
		}
		row := rows[okxInstID(l)]
		at, prev, next, ts := okxMs(t, row["fundingTime"]), okxMs(t, row["prevFundingTime"]), okxMs(t, row["nextFundingTime"]), okxMs(t, row["ts"])
		interval := time.Duration(l.FundingIntervalHours * float64(time.Hour))
		if at.Sub(prev) != interval || next.Sub(at) != interval || !at.After(ts) || at.Sub(ts) > interval || !ts.Equal(w.Now) {
			t.Errorf("%s: prev %s, funding %s, next %s, ts %s; want %s apart with funding the next one after now",
				okxInstID(l), prev, at, next, ts, interval)
		}
	}

	tests := []struct {
		target     string
		status     int
		code       string
		rows       int
		fundingRat string
	}{
		{"/api/v5/public/funding-rate?instId=ETH-USDT-SWAP", http.StatusOK, "0", 1, okxNum(w.OKX[1].FundingRate)},
		{"/api/v5/public/funding-rate?instId=BTC-USD-SWAP", http.StatusOK, "0", 1, okxNum(w.OKX[12].FundingRate)},
		{"/api/v5/public/funding-rate?instId=NOPE-USDT-SWAP", http.StatusOK, "51001", 0, ""},
		{"/api/v5/public/funding-rate?instId=NEWX-USDT-SWAP", http.StatusOK, "51001", 0, ""},
		{"/api/v5/public/funding-rate", http.StatusBadRequest, "50014", 0, ""},
	}
	for _, tt := range tests {
		status, env, _ := getOKX(t, h, tt.target)
		if status != tt.status || env.Code != tt.code || len(env.Data) != tt.rows {
			t.Errorf("%s: HTTP %d code %s with %d rows, want HTTP %d code %s with %d", tt.target, status, env.Code, len(env.Data), tt.status, tt.code, tt.rows)
			continue
		}
		if tt.rows == 1 && env.Data[0]["fundingRate"] != tt.fundingRat {
			t.Errorf("%s: fundingRate %s, want %s", tt.target, env.Data[0]["fundingRate"], tt.fundingRat)
		}
	}
}

func okxMs(t *testing.T, s string) time.Time {
	t.Helper()
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("timestamp %q: %v", s, err)
	}
	return time.UnixMilli(ms).UTC()
}

func TestOKXMarketUnits(t *testing.T) {
	w := okxWorld()
	h := Handler(w, Options{})
	_, tickers, _ := getOKX(t, h, "/api/v5/market/tickers?instType=SWAP")
	_, ois, _ := getOKX(t, h, "/api/v5/public/open-interest?instType=SWAP")
	tk, oi := okxRows(tickers), okxRows(ois)
	for _, l := range w.OKX {
		if !okxTraded(l) {
			continue
		}
		id := okxInstID(l)
		u := okxUnitsOf(l)
		last, volCcy, vol := okxF(t, tk[id]["last"]), okxF(t, tk[id]["volCcy24h"]), okxF(t, tk[id]["vol24h"])
		contracts := okxF(t, oi[id]["oi"])
		volUSD, oiUSD := volCcy*last, contracts*u.ctVal*last
		if l.Inverse() {
			volUSD, oiUSD = vol*u.ctVal, contracts*u.ctVal
		}
		if !okxNear(last*collectors.Multiplier(l.Base), l.Price) || !okxNear(volUSD, l.Volume24hUSD) || !okxNear(oiUSD, l.OpenInterestUSD) {
			t.Errorf("%s: last %g volume $%g OI $%g, model price %g volume $%g OI $%g", id, last, volUSD, oiUSD, l.Price, l.Volume24hUSD, l.OpenInterestUSD)
		}
	}
	if _, ok := tk["NEWX-USDT-SWAP"]; ok {
		t.Error("pre-open swap has a ticker")
	}
}

func okxF(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("number %q: %v", s, err)
	}
	return f
}

func okxNear(got, want float64) bool {
	d := got - want
	return d <= 1e-6*want && -d <= 1e-6*want
}

func TestOKXDeterministic(t *testing.T) {
	for _, target := range []string{
		"/api/v5/public/instruments?instType=SWAP",
		"/api/v5/public/funding-rate?instId=ANY",
		"/api/v5/market/tickers?instType=SWAP",
		"/api/v5/public/open-interest?instType=SWAP",
	} {
		_, _, a := getOKX(t, Handler(okxWorld(), Options{}), target)
		_, _, b := getOKX(t, Handler(okxWorld(), Options{}), target)
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two renders of the same world", target)
		}
		if bytes.Contains(a, []byte("e-")) || bytes.Contains(a, []byte("Inf")) || bytes.Contains(a, []byte("NaN")) {
			t.Errorf("%s has a number OKX would not send: %.300s", target, a)
		}
	}
}
