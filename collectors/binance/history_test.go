package binance

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// historyServer answers /dapi/v1/fundingRate with a settlement every 8 h
// from start, at most limit rows from startTime, as Binance pages them.
func historyServer(t *testing.T, start time.Time, n int) (*httptest.Server, *[]string) {
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.Path)
		q := r.URL.Query()
		from, _ := strconv.ParseInt(q.Get("startTime"), 10, 64)
		limit, _ := strconv.Atoi(q.Get("limit"))
		var rows []string
		for i := range n {
			at := start.Add(time.Duration(i) * 8 * time.Hour).UnixMilli()
			if at >= from && len(rows) < limit {
				rows = append(rows, fmt.Sprintf(`{"symbol":%q,"fundingTime":%d,"fundingRate":"0.000%d","markPrice":""}`,
					q.Get("symbol"), at, 1+i%9))
			}
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, "["+strings.Join(rows, ",")+"]")
	}))
	t.Cleanup(srv.Close)
	return srv, &asked
}

func TestFundingHistoryPagesCOINM(t *testing.T) {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	srv, asked := historyServer(t, start, 1500)
	got, err := newCollector(t, srv, 5*time.Second, Config{}).FundingHistory(t.Context(), "BTCUSD_PERP", start, start.Add(2000*8*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1500 || !got[0].ObservedAt.Equal(start) || got[1499].Rate != 0.0006 {
		t.Fatalf("got %d rows (first %v), want 1,500 from %v", len(got), got[0].ObservedAt, start)
	}
	if len(*asked) != 2 || (*asked)[0] != "/dapi/v1/fundingRate" {
		t.Errorf("asked %v, want two pages of /dapi/v1/fundingRate", *asked)
	}
}

func TestFundingHistoryFailures(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		status     int
		want       collectors.ErrorKind
	}{
		{"rate limited", `{"code":-1003,"msg":"Too many requests."}`, 429, collectors.ErrRateLimited},
		{"time as text", `[{"symbol":"BTCUSDT","fundingTime":"soon","fundingRate":"0.0001"}]`, 200, collectors.ErrMalformed},
		{"another symbol's rows", `[{"symbol":"ETHUSDT","fundingTime":1735689600000,"fundingRate":"0.0001"}]`, 200, collectors.ErrMalformed},
		{"no rate", `[{"symbol":"BTCUSDT","fundingTime":1735689600000,"fundingRate":""}]`, 200, collectors.ErrMalformed},
		{"HTML", `<html><body>maintenance</body></html>`, 200, collectors.ErrNotJSON},
		{"truncated", `[{"symbol":"BTCUSDT","fundingTi`, 200, collectors.ErrTruncated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()
			from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			got, err := newCollector(t, srv, 5*time.Second, Config{}).FundingHistory(t.Context(), "BTCUSDT", from, from.Add(24*time.Hour))
			if kind := collectors.KindOf(err); kind != tc.want || len(got) != 0 {
				t.Errorf("got %d rows and %v (kind %s), want none and kind %s", len(got), err, kind, tc.want)
			}
			if err != nil && !strings.Contains(err.Error(), "/fapi/v1/fundingRate") {
				t.Errorf("error %q does not name the endpoint", err)
			}
		})
	}
}
