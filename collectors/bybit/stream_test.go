package bybit_test

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
	"github.com/rivalwatch/rivalwatch/collectors/bybit"
	"github.com/rivalwatch/rivalwatch/collectors/stream"
	"github.com/rivalwatch/rivalwatch/collectors/stream/streamtest"
)

var streamAt = time.UnixMilli(1772445600000).UTC()

// tickerSnapshot has the shape of a tickers.* snapshot (fields trimmed).
func tickerSnapshot(symbol, rate string, ts int64) string {
	return fmt.Sprintf(`{"topic":"tickers.%s","type":"snapshot","data":{"symbol":%q,"tickDirection":"PlusTick",
"lastPrice":"68120.10","markPrice":"68121.00","indexPrice":"68110.02","openInterest":"51234.5","fundingIntervalHour":"4",
"fundingCap":"0.02","nextFundingTime":"1772452800000","fundingRate":%q,"bid1Price":"68120.0","ask1Price":"68120.2"},
"cs":4412001,"ts":%d}`, symbol, symbol, rate, ts)
}

func tickerDelta(symbol, fields string, ts int64) string {
	return fmt.Sprintf(`{"topic":"tickers.%s","type":"delta","data":{"symbol":%q,%s},"cs":4412002,"ts":%d}`, symbol, symbol, fields, ts)
}

func TestStreamSubscriptions(t *testing.T) {
	symbols := make([]string, 23)
	for i := range symbols {
		symbols[i] = fmt.Sprintf("C%02dUSDT", i)
	}
	subs, err := bybit.NewStream("", symbols).Subscriptions()
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for i, s := range subs {
		var m struct {
			ReqID string   `json:"req_id"`
			Op    string   `json:"op"`
			Args  []string `json:"args"`
		}
		if err := json.Unmarshal(s, &m); err != nil {
			t.Fatal(err)
		}
		if m.Op != "subscribe" || m.ReqID != fmt.Sprintf("tickers-%d", i+1) || m.Args[0] != "tickers."+symbols[i*10] {
			t.Errorf("message %d: %s", i, s)
		}
		sizes = append(sizes, len(m.Args))
	}
	if fmt.Sprint(sizes) != "[10 10 3]" {
		t.Errorf("batches of %v topics, want [10 10 3]", sizes)
	}

	if _, err := bybit.NewStream("", nil).Subscriptions(); err == nil {
		t.Error("no symbols: want an error")
	}
	many := make([]string, 2000)
	for i := range many {
		many[i] = fmt.Sprintf("COIN%04dUSDT", i)
	}
	if _, err := bybit.NewStream("", many).Subscriptions(); err == nil || !strings.Contains(err.Error(), "split them") {
		t.Errorf("2000 symbols: %v, want the per-connection limit", err)
	}
}

// TestStreamDeltaMerge: deltas carry only what changed; the rest comes
// from the symbol's snapshot, and a new connection starts over.
func TestStreamDeltaMerge(t *testing.T) {
	ms := streamAt.UnixMilli()
	base := collectors.Funding{Exchange: "bybit", Symbol: "BTCUSDT", Unified: "BTC/USDT:USDT", Rate: 0.0001,
		IntervalHours: 4, Cap: 0.02, Floor: -0.02, NextFundingAt: time.UnixMilli(1772452800000).UTC(), MarkPrice: 68121,
		ObservedAt: streamAt}
	with := func(edit func(*collectors.Funding)) []collectors.Funding {
		f := base
		edit(&f)
		return []collectors.Funding{f}
	}
	p := bybit.NewStream("", []string{"BTCUSDT", "ETHUSDT"})
	steps := []struct {
		name  string
		msg   string
		reset bool
		want  []collectors.Funding
	}{
		{"delta before any snapshot", tickerDelta("BTCUSDT", `"fundingRate":"0.0003"`, ms), false, nil},
		{"snapshot", tickerSnapshot("BTCUSDT", "0.0001", ms), false, []collectors.Funding{base}},
		{"mark price moves", tickerDelta("BTCUSDT", `"markPrice":"68150.50"`, ms+100), false,
			with(func(f *collectors.Funding) { f.MarkPrice, f.ObservedAt = 68150.5, streamAt.Add(100*time.Millisecond) })},
		{"only the book moves", tickerDelta("BTCUSDT", `"bid1Price":"68150.0"`, ms+200), false, nil},
		{"funding moves, mark kept", tickerDelta("BTCUSDT", `"fundingRate":"-0.00025","nextFundingTime":"1772467200000"`, ms+300), false,
			with(func(f *collectors.Funding) {
				f.Rate, f.MarkPrice, f.ObservedAt = -0.00025, 68150.5, streamAt.Add(300*time.Millisecond)
				f.NextFundingAt = time.UnixMilli(1772467200000).UTC()
			})},
		{"other symbol has no snapshot", tickerDelta("ETHUSDT", `"fundingRate":"0.0001"`, ms), false, nil},
		{"after a reconnect deltas wait for a snapshot", tickerDelta("BTCUSDT", `"markPrice":"1"`, ms+400), true, nil},
	}
	for _, st := range steps {
		if st.reset {
			p.Reset()
		}
		got, err := p.Parse([]byte(st.msg), streamAt)
		if err != nil {
			t.Errorf("%s: %v", st.name, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(st.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", st.name, got, st.want)
		}
	}
}

func TestStreamMessages(t *testing.T) {
	tests := []struct {
		name string
		msg  string
		kind collectors.ErrorKind // "" for no error
	}{
		{"subscribe ack", `{"success":true,"ret_msg":"","conn_id":"c1","req_id":"tickers-1","op":"subscribe"}`, ""},
		{"pong", `{"success":true,"ret_msg":"pong","conn_id":"c1","op":"ping"}`, ""},
		{"refused topic", `{"success":false,"ret_msg":"error:handler not found,topic:tickers.NOPEUSDT","conn_id":"c1","op":"subscribe"}`, collectors.ErrAPI},
		{"HTML", `<html>403 Forbidden</html>`, collectors.ErrNotJSON},
		{"other topic", `{"topic":"orderbook.1.BTCUSDT","type":"snapshot","data":{},"ts":1}`, collectors.ErrMalformed},
		{"rate as a number", tickerDelta("BTCUSDT", `"fundingRate":0.0001`, 1), collectors.ErrMalformed},
		{"symbol differs from topic", `{"topic":"tickers.BTCUSDT","type":"snapshot","data":{"symbol":"ETHUSDT","fundingRate":"0.0001"},"ts":1}`, collectors.ErrMalformed},
		{"unknown type", `{"topic":"tickers.BTCUSDT","type":"full","data":{"fundingRate":"0.0001"},"ts":1}`, collectors.ErrMalformed},
		{"rate not a number", tickerSnapshot("BTCUSDT", "high", 1), collectors.ErrMalformed},
		{"truncated", tickerSnapshot("BTCUSDT", "0.0001", 1)[:60], collectors.ErrTruncated},
	}
	for _, tt := range tests {
		p := bybit.NewStream("", []string{"BTCUSDT"})
		got, err := p.Parse([]byte(tt.msg), streamAt)
		var e *collectors.Error
		switch {
		case len(got) != 0:
			t.Errorf("%s: samples %+v, want none", tt.name, got)
		case tt.kind == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.kind != "" && (!errors.As(err, &e) || e.Kind != tt.kind):
			t.Errorf("%s: %v, want kind %s", tt.name, err, tt.kind)
		}
	}
}

func TestStreamRealCapture(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "realdata", "bybit", "ws-v5-public-linear-tickers.json")
	msg, err := os.ReadFile(path)
	if err != nil {
		t.Skip("../shared/realdata not found: " + path)
	}
	got, err := bybit.NewStream("", []string{"BTCUSDT"}).Parse(msg, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	at := time.UnixMilli(1760325052630).UTC()
	want := collectors.Funding{Exchange: "bybit", Symbol: "BTCUSDT", Unified: "BTC/USDT:USDT", Rate: -0.005,
		IntervalHours: 8, Cap: 0.005, Floor: -0.005, NextFundingAt: time.UnixMilli(1760342400000).UTC(),
		MarkPrice: 66666.6, ObservedAt: at}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("got %+v\nwant [%+v]", got, want)
	}
	if err := stream.Check(got[0], at); err != nil {
		t.Errorf("the capture fails the plausibility check: %v", err)
	}
}

// TestStreamLive plays Bybit on a local server: the subscription, the
// ping every PingEvery, the pong, a dropped connection, the subscription
// again and fresh state after it.
func TestStreamLive(t *testing.T) {
	srv := streamtest.NewServer(t)
	r := stream.New(bybit.NewStream(srv.URL+"/v5/public/linear", []string{"BTCUSDT"}), stream.Options{
		PingEvery: 10 * time.Millisecond, Silence: 5 * time.Second, Now: func() time.Time { return streamAt },
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
	ctx, cancel := context.WithCancel(context.Background())
	samples, gaps, done := make(chan []collectors.Funding, 10), make(chan stream.Gap, 10), make(chan error)
	go func() {
		done <- r.Run(ctx, func(fs []collectors.Funding) { samples <- fs }, func(g stream.Gap) { gaps <- g })
	}()
	defer func() { cancel(); <-done }()

	ms := streamAt.UnixMilli()
	c := srv.Accept(t)
	if sub := string(c.Next(t)); !strings.Contains(sub, `"args":["tickers.BTCUSDT"]`) {
		t.Errorf("subscription %s", sub)
	}
	c.Send(`{"success":true,"ret_msg":"","conn_id":"c1","req_id":"tickers-1","op":"subscribe"}`, tickerSnapshot("BTCUSDT", "0.0001", ms))
	if fs := wait(t, samples); fs[0].Rate != 0.0001 {
		t.Errorf("got %+v", fs)
	}
	c.Expect(t, `{"op":"ping"}`)
	c.Send(`{"success":true,"ret_msg":"pong","conn_id":"c1","op":"ping"}`)
	c.Drop()

	c = srv.Accept(t)
	c.Expect(t, `"args":["tickers.BTCUSDT"]`)
	c.Send(tickerDelta("BTCUSDT", `"fundingRate":"0.0009"`, ms), tickerSnapshot("BTCUSDT", "0.0002", ms))
	if fs := wait(t, samples); fs[0].Rate != 0.0002 {
		t.Errorf("after reconnecting got %+v, want the snapshot's rate (the delta has nothing to merge into)", fs)
	}
	if g := wait(t, gaps); g.Exchange != "bybit" || g.Stream != "tickers" || g.Reason != "the connection dropped" {
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
