package okx_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/okx"
	"github.com/rivalwatch/rivalwatch/collectors/stream"
	"github.com/rivalwatch/rivalwatch/collectors/stream/streamtest"
)

var pushAt = time.UnixMilli(1772445612345).UTC()

// fundingPush has the shape of a funding-rate push (fields trimmed and
// changed): a 4 h interval, the next settlement at 12:00.
func fundingPush(instID, rate string) string {
	return fmt.Sprintf(`{"arg":{"channel":"funding-rate","instId":%q},"data":[{"formulaType":"withRate","fundingRate":%q,
"fundingTime":"1772452800000","instId":%q,"instType":"SWAP","interestRate":"0.0001","maxFundingRate":"0.015",
"method":"current_period","minFundingRate":"-0.015","nextFundingRate":"","nextFundingTime":"1772467200000",
"premium":"-0.0002","prevFundingTime":"1772438400000","settFundingRate":"0.00004","settState":"settled","ts":"1772445612345"}]}`,
		instID, rate, instID)
}

func TestStreamParse(t *testing.T) {
	settle := time.UnixMilli(1772452800000).UTC()
	tests := []struct {
		name string
		msg  string
		want []collectors.Funding
		kind collectors.ErrorKind // "" for no error
	}{
		{"linear push", fundingPush("BTC-USDT-SWAP", "0.0000812345678901"), []collectors.Funding{{Exchange: "okx",
			Symbol: "BTC-USDT-SWAP", Unified: "BTC/USDT:USDT", Rate: 0.0000812345678901, IntervalHours: 4, Cap: 0.015,
			Floor: -0.015, NextFundingAt: settle, ObservedAt: pushAt}}, ""},
		{"inverse push", fundingPush("ETH-USD-SWAP", "-0.0001"), []collectors.Funding{{Exchange: "okx",
			Symbol: "ETH-USD-SWAP", Unified: "ETH/USD:ETH", Rate: -0.0001, IntervalHours: 4, Cap: 0.015,
			Floor: -0.015, NextFundingAt: settle, ObservedAt: pushAt}}, ""},
		{"pong", "pong", nil, ""},
		{"subscribe ack", `{"event":"subscribe","arg":{"channel":"funding-rate","instId":"BTC-USDT-SWAP"},"connId":"a1b2c3"}`, nil, ""},
		{"notice", `{"event":"notice","code":"64008","msg":"The connection will soon be closed for a service upgrade.","connId":"a1b2c3"}`, nil, ""},
		{"error for one instrument", `{"event":"error","code":"60018","msg":"Wrong URL or channel:funding-rate,instId:NOPE-USDT-SWAP doesn't exist.","connId":"a1b2c3"}`, nil, collectors.ErrAPI},
		{"HTML", "<html>blocked</html>", nil, collectors.ErrNotJSON},
		{"not JSON", "pongpong", nil, collectors.ErrMalformed},
		{"other channel", strings.Replace(fundingPush("BTC-USDT-SWAP", "0.0001"), `"funding-rate"`, `"tickers"`, 1), nil, collectors.ErrMalformed},
		{"row for another instrument", strings.Replace(fundingPush("BTC-USDT-SWAP", "0.0001"), `"instId":"BTC-USDT-SWAP","instType"`, `"instId":"ETH-USDT-SWAP","instType"`, 1), nil, collectors.ErrMalformed},
		{"rate not a number", fundingPush("BTC-USDT-SWAP", "n/a"), nil, collectors.ErrMalformed},
		{"no rate", fundingPush("BTC-USDT-SWAP", ""), nil, collectors.ErrMalformed},
		{"not a swap id", fundingPush("BTCUSDT", "0.0001"), nil, collectors.ErrMalformed},
		{"data not a list", `{"arg":{"channel":"funding-rate","instId":"BTC-USDT-SWAP"},"data":{"fundingRate":"0.1"}}`, nil, collectors.ErrMalformed},
	}
	p := okx.NewStream("", []string{"BTC-USDT-SWAP"})
	for _, tt := range tests {
		got, err := p.Parse([]byte(tt.msg), pushAt)
		var e *collectors.Error
		switch {
		case fmt.Sprint(got) != fmt.Sprint(tt.want):
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		case tt.kind == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.kind != "" && (!errors.As(err, &e) || e.Kind != tt.kind):
			t.Errorf("%s: %v, want kind %s", tt.name, err, tt.kind)
		}
	}
}

func TestStreamSubscriptions(t *testing.T) {
	ids := make([]string, 1500)
	for i := range ids {
		ids[i] = fmt.Sprintf("COIN%04d-USDT-SWAP", i)
	}
	subs, err := okx.NewStream("", ids).Subscriptions()
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, s := range subs {
		if len(s) > 64<<10 {
			t.Errorf("a request of %d bytes, over OKX's 64 KB", len(s))
		}
		var m struct {
			Op   string `json:"op"`
			Args []struct{ Channel, InstID string }
		}
		if err := json.Unmarshal(s, &m); err != nil {
			t.Fatal(err)
		}
		for _, a := range m.Args {
			if m.Op != "subscribe" || a.Channel != "funding-rate" {
				t.Fatalf("request %s", s[:80])
			}
			seen = append(seen, a.InstID)
		}
	}
	if len(subs) < 2 || fmt.Sprint(seen) != fmt.Sprint(ids) {
		t.Errorf("%d requests carrying %d instruments, want 1500 in order over several requests", len(subs), len(seen))
	}
	if _, err := okx.NewStream("", nil).Subscriptions(); err == nil {
		t.Error("no instruments: want an error")
	}
}

func TestStreamRealCapture(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "realdata", "okx", "ws-funding-rate-BTC-USDT-SWAP.json")
	msg, err := os.ReadFile(path)
	if err != nil {
		t.Skip("../shared/realdata not found: " + path)
	}
	got, err := okx.NewStream("", []string{"BTC-USDT-SWAP"}).Parse(msg, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	at := time.UnixMilli(1790358563915).UTC()
	want := collectors.Funding{Exchange: "okx", Symbol: "BTC-USDT-SWAP", Unified: "BTC/USDT:USDT", Rate: 0.0000263463215391,
		IntervalHours: 8, Cap: 0.00375, Floor: -0.00375, NextFundingAt: time.UnixMilli(1790380800000).UTC(), ObservedAt: at}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("got %+v\nwant [%+v]", got, want)
	}
	if err := stream.Check(got[0], at); err != nil {
		t.Errorf("the capture fails the plausibility check: %v", err)
	}
}

// TestStreamLive plays OKX on a local server: "ping" answered by "pong"
// keeps a connection without pushes up; an error event for one
// instrument leaves the others streaming; when the server stops answering
// pings the client reconnects, subscribes again and records the gap.
func TestStreamLive(t *testing.T) {
	srv := streamtest.NewServer(t)
	r := stream.New(okx.NewStream(srv.URL+"/ws/v5/public", []string{"BTC-USDT-SWAP", "NOPE-USDT-SWAP"}), stream.Options{
		PingEvery: 10 * time.Millisecond, Silence: 200 * time.Millisecond, Now: func() time.Time { return pushAt },
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
	ctx, cancel := context.WithCancel(context.Background())
	samples, gaps, done := make(chan []collectors.Funding, 10), make(chan stream.Gap, 10), make(chan error)
	go func() {
		done <- r.Run(ctx, func(fs []collectors.Funding) { samples <- fs }, func(g stream.Gap) { gaps <- g })
	}()
	defer func() { cancel(); <-done }()

	c := srv.Accept(t)
	if c.Path != "/ws/v5/public" {
		t.Errorf("path %s", c.Path)
	}
	c.Expect(t, `{"op":"subscribe","args":[{"channel":"funding-rate","instId":"BTC-USDT-SWAP"},{"channel":"funding-rate","instId":"NOPE-USDT-SWAP"}]}`)
	c.Send(`{"event":"subscribe","arg":{"channel":"funding-rate","instId":"BTC-USDT-SWAP"},"connId":"a1"}`,
		`{"event":"error","code":"60018","msg":"Wrong URL or channel:funding-rate,instId:NOPE-USDT-SWAP doesn't exist.","connId":"a1"}`)
	for range 3 {
		if got := string(c.Expect(t, "ping")); got != "ping" {
			t.Errorf("keep-alive %q, want the text ping", got)
		}
		c.Send("pong")
	}
	c.Send(fundingPush("BTC-USDT-SWAP", "0.0001"))
	if fs := wait(t, samples); len(fs) != 1 || fs[0].Symbol != "BTC-USDT-SWAP" {
		t.Errorf("got %+v", fs)
	}
	if r.Reconnects() != 0 {
		t.Errorf("%d reconnects while pongs came back", r.Reconnects())
	}

	// Stop answering: pings go unanswered until the client gives up.
	c2 := srv.Accept(t)
	c2.Expect(t, `"instId":"BTC-USDT-SWAP"`)
	c2.Send(fundingPush("BTC-USDT-SWAP", "0.0002"))
	if fs := wait(t, samples); fs[0].Rate != 0.0002 {
		t.Errorf("after reconnecting got %+v", fs)
	}
	if g := wait(t, gaps); g.Exchange != "okx" || g.Stream != "funding-rate" || g.Reason != "no message for 200ms" {
		t.Errorf("gap %+v", g)
	}
}

func wait[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(streamtest.Wait):
		t.Fatalf("nothing within %s", streamtest.Wait)
		var zero T
		return zero
	}
}
