package okx

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

var (
	feeCreds = Credentials{Key: "okx-test-key-A1", Secret: "okx-test-secret-B2", Passphrase: "okx-test-pass-C3"}
	feeNow   = time.Date(2026, 3, 2, 7, 0, 0, 123e6, time.UTC)
)

// feeServer answers trade-fee for one credential set, checking the
// signature itself: Base64 HMAC-SHA256 of timestamp + GET + path?query.
// A refusal echoes the headers it got, so scrubbing is put to the test.
func feeServer(t *testing.T, creds Credentials, answers map[string]string) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts := r.Header.Get("OK-ACCESS-TIMESTAMP")
		m := hmac.New(sha256.New, []byte(creds.Secret))
		m.Write([]byte(ts + r.Method + r.URL.RequestURI()))
		if r.Header.Get("OK-ACCESS-KEY") != creds.Key || r.Header.Get("OK-ACCESS-PASSPHRASE") != creds.Passphrase ||
			ts != "2026-03-02T07:00:00.123Z" || r.Header.Get("OK-ACCESS-SIGN") != base64.StdEncoding.EncodeToString(m.Sum(nil)) {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"msg":"Invalid Sign for key %s passphrase %s","code":"50113"}`,
				r.Header.Get("OK-ACCESS-KEY"), r.Header.Get("OK-ACCESS-PASSPHRASE"))
			return
		}
		q := r.URL.Query()
		answer, ok := answers[q.Get("instFamily")]
		if r.URL.Path != tradeFeePath || q.Get("instType") != "SWAP" || !ok {
			fmt.Fprint(w, `{"code":"51000","msg":"Parameter instFamily error","data":[]}`)
			return
		}
		fmt.Fprint(w, answer)
	}))
}

// tradeFeeAnswer has the shape of OKX's answer; rates in OKX's sign
// (negative = commission).
func tradeFeeAnswer(level, maker, taker, makerU, takerU, makerUSDC, takerUSDC string) string {
	return fmt.Sprintf(`{"code":"0","msg":"","data":[{"category":"1","delivery":"","exercise":"","fiat":[],"instType":"SWAP","level":%q,`+
		`"maker":%q,"makerU":%q,"makerUSDC":%q,"ruleType":"normal","taker":%q,"takerU":%q,"takerUSDC":%q,"ts":"1772434800123"}]}`,
		level, maker, makerU, makerUSDC, taker, takerU, takerUSDC)
}

var feeAnswers = map[string]string{
	"BTC-USDT": tradeFeeAnswer("Lv3", "-0.0002", "-0.0005", "-0.00015", "-0.0004", "", ""),
	"ETH-USDT": tradeFeeAnswer("Lv3", "-0.0002", "-0.0005", "-0.00015", "-0.0004", "", ""),
	"BTC-USDC": tradeFeeAnswer("Lv3", "-0.0002", "-0.0005", "", "", "0.00005", "-0.0003"), // a maker rebate
	"BTC-USD":  tradeFeeAnswer("Lv3", "-0.0002", "-0.0005", "", "", "", ""),
}

func feeSource(srv *httptest.Server, creds Credentials, symbols ...string) FeeSource {
	return FeeSource{
		BaseURL: srv.URL,
		Client: collectors.NewHTTPClient(5*time.Second, collectors.TransportOptions{
			Sleep: func(context.Context, time.Duration) error { return nil },
		}),
		Credentials: creds, Symbols: symbols, Now: func() time.Time { return feeNow },
	}
}

func TestFeesSignedAndSignFlipped(t *testing.T) {
	srv := feeServer(t, feeCreds, feeAnswers)
	defer srv.Close()
	got, err := feeSource(srv, feeCreds, "ETH-USDT-SWAP", "BTC-USDT-SWAP", "BTC-USDC-SWAP", "BTC-USD-SWAP").Fees(context.Background())
	if err != nil {
		t.Fatalf("Fees: %v", err)
	}
	row := func(product, sym string, maker, taker float64) collectors.Fee {
		return collectors.Fee{Exchange: "okx", Product: product, Tier: "Lv3", Symbol: sym,
			MakerRate: maker, TakerRate: taker, Source: collectors.FeeSourceAPI, ObservedAt: feeNow}
	}
	want := []collectors.Fee{
		row(collectors.ProductCOINM, "BTC-USD-SWAP", 0.0002, 0.0005),
		row(collectors.ProductUSDC, "BTC-USDC-SWAP", -0.00005, 0.0003),
		row(collectors.ProductUSDM, "BTC-USDT-SWAP", 0.00015, 0.0004),
		row(collectors.ProductUSDM, "ETH-USDT-SWAP", 0.00015, 0.0004),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Fees =\n%+v\nwant\n%+v", got, want)
	}
}

func TestFeesErrorsNeverCarryTheKeys(t *testing.T) {
	wrong := feeCreds
	wrong.Secret = "wrong-secret-D4"
	tests := []struct {
		name    string
		creds   Credentials
		symbols []string
		want    collectors.ErrorKind
	}{
		{"wrong secret", wrong, []string{"BTC-USDT-SWAP"}, collectors.ErrRejected},
		{"family unknown to the exchange", feeCreds, []string{"BTC-USD-SWAP", "BTC-USDC-SWAP", "SOL-USDC-SWAP"}, collectors.ErrAPI},
		{"not a swap", feeCreds, []string{"BTC-USDT"}, collectors.ErrInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := feeServer(t, feeCreds, feeAnswers)
			defer srv.Close()
			rows, err := feeSource(srv, tt.creds, tt.symbols...).Fees(context.Background())
			if rows != nil {
				t.Errorf("%d rows with the error, want none", len(rows))
			}
			if kind := collectors.KindOf(err); kind != tt.want {
				t.Errorf("kind %s (%v), want %s", kind, err, tt.want)
			}
			for _, secret := range []string{feeCreds.Key, feeCreds.Secret, feeCreds.Passphrase, wrong.Secret} {
				if strings.Contains(fmt.Sprint(err), secret) {
					t.Errorf("error %q carries a credential", err)
				}
			}
		})
	}
}

func TestFeesRejectAnEmptyRate(t *testing.T) {
	answers := map[string]string{"BTC-USDT": tradeFeeAnswer("Lv1", "-0.0002", "-0.0005", "", "", "", "")}
	srv := feeServer(t, feeCreds, answers)
	defer srv.Close()
	_, err := feeSource(srv, feeCreds, "BTC-USDT-SWAP").Fees(context.Background())
	if kind := collectors.KindOf(err); kind != collectors.ErrMalformed {
		t.Errorf("kind %s (%v), want malformed: USDT rates missing", kind, err)
	}
}

func TestFeesNeedTheFullKey(t *testing.T) {
	noPass := feeCreds
	noPass.Passphrase = ""
	_, err := FeeSource{Credentials: noPass, Symbols: []string{"BTC-USDT-SWAP"}}.Fees(context.Background())
	if kind := collectors.KindOf(err); kind != collectors.ErrInternal {
		t.Errorf("kind %s (%v), want internal before any request", kind, err)
	}
}
