package bybit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

var feeCreds = Credentials{Key: "bybit-test-key-K3", Secret: "bybit-test-secret-S8"}

// feeServer answers /v5/account/fee-rate for one key pair, checking the
// signature itself; a bad one gets Bybit's 10004, which repeats the signed
// string (key included) as the real API does.
func feeServer(t *testing.T, key, secret string, lists map[string]string) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != feeRatePath {
			http.NotFound(w, r)
			return
		}
		ts, recv := r.Header.Get("X-BAPI-TIMESTAMP"), r.Header.Get("X-BAPI-RECV-WINDOW")
		origin := ts + r.Header.Get("X-BAPI-API-KEY") + recv + r.URL.RawQuery
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(origin))
		if r.Header.Get("X-BAPI-API-KEY") != key || ts == "" || recv == "" || r.Header.Get("X-BAPI-SIGN") != hex.EncodeToString(m.Sum(nil)) {
			fmt.Fprintf(w, `{"retCode":10004,"retMsg":"error sign! origin_string[%s]","result":{},"retExtInfo":{},"time":1767236400000}`, origin)
			return
		}
		list, ok := lists[r.URL.Query().Get("category")]
		if !ok {
			fmt.Fprint(w, `{"retCode":10001,"retMsg":"params error: category","result":{},"time":1767236400000}`)
			return
		}
		fmt.Fprintf(w, `{"retCode":0,"retMsg":"OK","result":{"list":[%s]},"retExtInfo":{},"time":1767236400000}`, list)
	}))
}

func feeSource(srv *httptest.Server, creds Credentials) FeeSource {
	return FeeSource{BaseURL: srv.URL, Client: newClient(5 * time.Second), Credentials: creds,
		Now: func() time.Time { return testNow }}
}

var feeLists = map[string]string{
	"linear": `{"symbol":"ETHUSDT","takerFeeRate":"0.00055","makerFeeRate":"0.0002"},
		{"symbol":"BTCUSDT","takerFeeRate":"0.00055","makerFeeRate":"0.0002"},
		{"symbol":"BTCPERP","takerFeeRate":"0","makerFeeRate":"-0.00005"},
		{"symbol":"DOGEUSDT","takerFeeRate":"0.00055","makerFeeRate":"0.0002"}`,
	"inverse": `{"symbol":"BTCUSD","takerFeeRate":"0.00055","makerFeeRate":"0.0002"}`,
}

func TestFeesSignedAndParsed(t *testing.T) {
	srv := feeServer(t, feeCreds.Key, feeCreds.Secret, feeLists)
	defer srv.Close()
	s := feeSource(srv, feeCreds)
	s.Symbols = []string{"BTCUSDT", "ETHUSDT", "BTCPERP", "BTCUSD"} // DOGEUSDT is not tracked

	got, err := s.Fees(context.Background())
	if err != nil {
		t.Fatalf("Fees: %v", err)
	}
	row := func(product, sym string, maker, taker float64) collectors.Fee {
		return collectors.Fee{Exchange: "bybit", Product: product, Tier: "account", Symbol: sym,
			MakerRate: maker, TakerRate: taker, Source: collectors.FeeSourceAPI, ObservedAt: testNow}
	}
	want := []collectors.Fee{
		row(collectors.ProductCOINM, "BTCUSD", 0.0002, 0.00055),
		row(collectors.ProductUSDC, "BTCPERP", -0.00005, 0), // a maker rebate
		row(collectors.ProductUSDM, "BTCUSDT", 0.0002, 0.00055),
		row(collectors.ProductUSDM, "ETHUSDT", 0.0002, 0.00055),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Fees =\n%+v\nwant\n%+v", got, want)
	}
}

func TestFeesErrorsNeverCarryTheKeys(t *testing.T) {
	tests := []struct {
		name  string
		creds Credentials
		lists map[string]string
		want  collectors.ErrorKind
	}{
		{"wrong secret", Credentials{Key: feeCreds.Key, Secret: "wrong-secret-W1"}, feeLists, collectors.ErrRejected},
		{"rate not a number", feeCreds, map[string]string{"linear": `{"symbol":"BTCUSDT","takerFeeRate":"","makerFeeRate":"0.0002"}`, "inverse": ``}, collectors.ErrMalformed},
		{"category refused", feeCreds, map[string]string{"linear": ``}, collectors.ErrAPI},
		{"no rows", feeCreds, map[string]string{"linear": ``, "inverse": ``}, collectors.ErrEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := feeServer(t, feeCreds.Key, feeCreds.Secret, tt.lists)
			defer srv.Close()
			rows, err := feeSource(srv, tt.creds).Fees(context.Background())
			if rows != nil {
				t.Errorf("%d rows with the error, want none", len(rows))
			}
			if kind := collectors.KindOf(err); kind != tt.want {
				t.Errorf("kind %s (%v), want %s", kind, err, tt.want)
			}
			for _, secret := range []string{tt.creds.Key, tt.creds.Secret, feeCreds.Secret} {
				if strings.Contains(fmt.Sprint(err), secret) {
					t.Errorf("error %q carries a credential", err)
				}
			}
		})
	}
}

func TestFeesNeedAKey(t *testing.T) {
	_, err := FeeSource{Client: newClient(time.Second)}.Fees(context.Background())
	if kind := collectors.KindOf(err); kind != collectors.ErrInternal {
		t.Errorf("kind %s (%v), want internal before any request", kind, err)
	}
}
