package binance

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
	"sync"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

var feeCreds = Credentials{Key: "test-key-7Hq2", Secret: "test-secret-Zp9x"}

// feeServer answers Binance's signed fee endpoints for one key pair and
// checks every signature itself: HMAC-SHA256 over the query before
// &signature=, hex.
type feeServer struct {
	key, secret string
	rates       map[string][2]string // symbol → maker, taker
	feeTier     int
	echo        bool // error bodies repeat the request, as a careless proxy might

	mu     sync.Mutex
	signed int
}

func (s *feeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw := r.URL.RawQuery
	query, sig, ok := strings.Cut(raw, "&signature=")
	m := hmac.New(sha256.New, []byte(s.secret))
	m.Write([]byte(query))
	if !ok || sig != hex.EncodeToString(m.Sum(nil)) || r.Header.Get("X-MBX-APIKEY") != s.key || r.URL.Query().Get("timestamp") == "" {
		w.WriteHeader(http.StatusUnauthorized)
		msg := "Signature for this request is not valid."
		if s.echo {
			msg += " request: " + raw + " key: " + r.Header.Get("X-MBX-APIKEY")
		}
		fmt.Fprintf(w, `{"code":-1022,"msg":%q}`, msg)
		return
	}
	s.mu.Lock()
	s.signed++
	s.mu.Unlock()
	switch r.URL.Path {
	case pathAccountConfig:
		fmt.Fprintf(w, `{"feeTier":%d,"canTrade":true,"canDeposit":true,"canWithdraw":false,"dualSidePosition":false,"updateTime":0,"multiAssetsMargin":false,"tradeGroupId":-1}`, s.feeTier)
	case pathUSDMCommission, pathCOINMCommission:
		sym := r.URL.Query().Get("symbol")
		rate, ok := s.rates[sym]
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"code":-1121,"msg":"Invalid symbol."}`))
			return
		}
		fmt.Fprintf(w, `{"symbol":%q,"makerCommissionRate":%q,"takerCommissionRate":%q}`, sym, rate[0], rate[1])
	default:
		http.NotFound(w, r)
	}
}

func feeSource(srv *httptest.Server, creds Credentials) FeeSource {
	return FeeSource{
		FuturesURL: srv.URL, DeliveryURL: srv.URL,
		Client: collectors.NewHTTPClient(5*time.Second, collectors.TransportOptions{
			Sleep: func(context.Context, time.Duration) error { return nil },
		}),
		Credentials: creds,
		USDM:        []string{"ETHUSDT", "BTCUSDT", "BTCUSDC"},
		COINM:       []string{"BTCUSD_PERP"},
		Now:         func() time.Time { return testNow },
	}
}

func TestFeesSignedAndParsed(t *testing.T) {
	fs := &feeServer{key: feeCreds.Key, secret: feeCreds.Secret, feeTier: 2, rates: map[string][2]string{
		"BTCUSDT":     {"0.000140", "0.000350"},
		"ETHUSDT":     {"0.000140", "0.000350"},
		"BTCUSDC":     {"0.000000", "0.000000"}, // a zero-fee promotion
		"BTCUSD_PERP": {"0.000080", "0.000330"},
	}}
	srv := httptest.NewServer(fs)
	defer srv.Close()

	got, err := feeSource(srv, feeCreds).Fees(context.Background())
	if err != nil {
		t.Fatalf("Fees: %v", err)
	}
	row := func(product, sym string, maker, taker float64) collectors.Fee {
		return collectors.Fee{Exchange: "binance", Product: product, Tier: "VIP2", Symbol: sym,
			MakerRate: maker, TakerRate: taker, Source: collectors.FeeSourceAPI, ObservedAt: testNow}
	}
	want := []collectors.Fee{
		row(collectors.ProductCOINM, "BTCUSD_PERP", 0.00008, 0.00033),
		row(collectors.ProductUSDC, "BTCUSDC", 0, 0),
		row(collectors.ProductUSDM, "BTCUSDT", 0.00014, 0.00035),
		row(collectors.ProductUSDM, "ETHUSDT", 0.00014, 0.00035),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Fees =\n%+v\nwant\n%+v", got, want)
	}
	if fs.signed != 5 {
		t.Errorf("%d signed requests accepted, want 5 (account tier + 4 symbols)", fs.signed)
	}
}

func TestFeesErrorsNeverCarryTheKeys(t *testing.T) {
	tests := []struct {
		name  string
		creds Credentials // what the collector sends
		echo  bool
		rates map[string][2]string
		want  collectors.ErrorKind
	}{
		{"wrong secret", Credentials{Key: feeCreds.Key, Secret: "wrong-secret-Qq1"}, false, nil, collectors.ErrRejected},
		{"wrong secret, echoed back", Credentials{Key: feeCreds.Key, Secret: "wrong-secret-Qq1"}, true, nil, collectors.ErrRejected},
		{"rate not a number", feeCreds, true, map[string][2]string{
			"BTCUSDT": {"0.0002", "n/a"}, "ETHUSDT": {"0.0002", "0.0005"}, "BTCUSDC": {"0", "0"}, "BTCUSD_PERP": {"0", "0"},
		}, collectors.ErrMalformed},
		{"unknown symbol", feeCreds, true, map[string][2]string{"BTCUSDT": {"0.0002", "0.0005"}}, collectors.ErrRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := &feeServer{key: feeCreds.Key, secret: feeCreds.Secret, echo: tt.echo, rates: tt.rates}
			srv := httptest.NewServer(fs)
			defer srv.Close()
			rows, err := feeSource(srv, tt.creds).Fees(context.Background())
			if rows != nil {
				t.Errorf("%d rows with the error, want none", len(rows))
			}
			if kind := collectors.KindOf(err); kind != tt.want {
				t.Errorf("kind %s (%v), want %s", kind, err, tt.want)
			}
			msg := fmt.Sprint(err)
			for _, secret := range []string{tt.creds.Key, tt.creds.Secret, feeCreds.Secret} {
				if strings.Contains(msg, secret) {
					t.Errorf("error %q carries a credential", msg)
				}
			}
			if i := strings.Index(msg, "signature="); i >= 0 && !strings.HasPrefix(msg[i:], "signature=[redacted]") {
				t.Errorf("error %q carries a signature", msg)
			}
		})
	}
}

func TestFeesNeedKeysAndSymbols(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	noKey := feeSource(srv, Credentials{})
	noSymbols := feeSource(srv, feeCreds)
	noSymbols.USDM, noSymbols.COINM = nil, nil
	for name, s := range map[string]FeeSource{"no key": noKey, "no symbols": noSymbols} {
		if _, err := s.Fees(context.Background()); collectors.KindOf(err) != collectors.ErrInternal {
			t.Errorf("%s: %v, want an internal error before any request", name, err)
		}
	}
}
