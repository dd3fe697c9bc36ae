package okx

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// TestNoFalseAlarms checks that every way a pull can go wrong is an error
// of its own kind with no records, for every kind collected.
func TestNoFalseAlarms(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		header  map[string]string
		body    string
		block   bool // answer only when the client gives up
		timeout time.Duration
		want    collectors.ErrorKind
	}{
		{name: "geo 403", status: http.StatusForbidden, body: `{"msg":"Access denied"}`, want: collectors.ErrGeoBlocked},
		{name: "geo 451", status: http.StatusUnavailableForLegalReasons, body: `{}`, want: collectors.ErrGeoBlocked},
		{name: "5xx", status: http.StatusServiceUnavailable, body: `upstream down`, want: collectors.ErrServer},
		{name: "timeout", block: true, timeout: 100 * time.Millisecond, want: collectors.ErrTimeout},
		{name: "html page", status: http.StatusOK, header: map[string]string{"Content-Type": "text/html"},
			body: `<!DOCTYPE html><html><body>Checking your browser</body></html>`, want: collectors.ErrNotJSON},
		{name: "html without content type", status: http.StatusOK, body: "\n<html><title>Maintenance</title></html>", want: collectors.ErrNotJSON},
		{name: "truncated json", status: http.StatusOK, body: `{"code":"0","msg":"","data":[{"instId":"BTC-US`, want: collectors.ErrTruncated},
		{name: "body shorter than content-length", status: http.StatusOK, header: map[string]string{"Content-Length": "500"},
			body: `{"code":"0","msg":"","data":[`, want: collectors.ErrTruncated},
		{name: "code not 0", status: http.StatusOK, body: `{"code":"50001","msg":"Service temporarily unavailable","data":[]}`, want: collectors.ErrAPI},
		{name: "code 50011 with 200", status: http.StatusOK, body: `{"code":"50011","msg":"Too Many Requests","data":[]}`, want: collectors.ErrRateLimited},
		{name: "empty data", status: http.StatusOK, body: `{"code":"0","msg":"","data":[]}`, want: collectors.ErrEmpty},
		{name: "null data", status: http.StatusOK, body: `{"code":"0","msg":""}`, want: collectors.ErrEmpty},
		{name: "no envelope", status: http.StatusOK, body: `{"data":[{"instId":"BTC-USDT-SWAP"}]}`, want: collectors.ErrMalformed},
		{name: "data not a list", status: http.StatusOK, body: `{"code":"0","msg":"","data":{"instId":"BTC-USDT-SWAP"}}`, want: collectors.ErrMalformed},
		{name: "number not a number", status: http.StatusOK,
			body: `{"code":"0","msg":"","data":[{"instId":"BTC-USDT-SWAP","instFamily":"BTC-USDT","ctVal":"0.01","tickSz":"n/a","fundingRate":"n/a","last":"n/a","oi":"1","ts":"1"}]}`,
			want: collectors.ErrMalformed},
	}
	for _, tt := range tests {
		for _, kind := range marketKinds {
			t.Run(tt.name+"/"+string(kind), func(t *testing.T) {
				h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if tt.block {
						<-r.Context().Done()
						return
					}
					for k, v := range tt.header {
						w.Header().Set(k, v)
					}
					w.WriteHeader(tt.status)
					w.Write([]byte(tt.body))
				})
				c := newTestCollector(t, h, 0)
				if tt.timeout > 0 {
					c.client = newClient(tt.timeout)
				}
				recs, err := collectors.Collect(context.Background(), c, kind)
				if got := collectors.KindOf(err); got != tt.want {
					t.Errorf("error kind = %s (%v), want %s", got, err, tt.want)
				}
				if recs.Len() != 0 {
					t.Errorf("got %d records with an error", recs.Len())
				}
			})
		}
	}
}

// TestRateLimitNoHammering checks that after OKX's 429 no further request
// reaches it while its Retry-After runs, whatever kind is pulled next.
func TestRateLimitNoHammering(t *testing.T) {
	var hits atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"code":"50011","msg":"Too Many Requests","data":[]}`))
	})
	c := newTestCollector(t, h, 0)
	for _, kind := range []collectors.Kind{collectors.KindInstruments, collectors.KindFunding, collectors.KindMarket} {
		recs, err := collectors.Collect(context.Background(), c, kind)
		if got := collectors.KindOf(err); got != collectors.ErrRateLimited {
			t.Errorf("%s: error kind = %s (%v), want %s", kind, got, err, collectors.ErrRateLimited)
		}
		if recs.Len() != 0 {
			t.Errorf("%s: got %d records with an error", kind, recs.Len())
		}
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("the exchange got %d requests, want 1: the 30 s Retry-After was not honoured", n)
	}
}
