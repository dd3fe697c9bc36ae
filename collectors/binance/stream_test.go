package binance_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/binance"
	"github.com/rivalwatch/rivalwatch/collectors/stream"
	"github.com/rivalwatch/rivalwatch/collectors/stream/streamtest"
)

// markPriceFixture has the shape of a !markPrice@arr message: a perpetual,
// a multiplier coin, a USDC perpetual, and a dated contract with no funding.
const markPriceFixture = `[
 {"e":"markPriceUpdate","E":1772445600000,"s":"BTCUSDT","p":"68123.40000000","i":"68110.02","P":"68090.1","r":"0.00010000","T":1772467200000},
 {"e":"markPriceUpdate","E":1772445600000,"s":"1000PEPEUSDT","p":"0.0091230","i":"0.00912","P":"0.00913","r":"-0.00031250","T":1772452800000},
 {"e":"markPriceUpdate","E":1772445600000,"s":"ETHUSDC","p":"2011.52","i":"2011.0","P":"2010.9","r":"0.00005000","T":1772467200000},
 {"e":"markPriceUpdate","E":1772445600000,"s":"BTCUSDT_260626","p":"69001.1","i":"68110.02","P":"68980.0","r":"","T":0}
]`

var fixtureAt = time.UnixMilli(1772445600000).UTC()

func TestStreamParse(t *testing.T) {
	p := binance.NewStream("")
	if p.URL() != "wss://fstream.binance.com/ws/!markPrice@arr" {
		t.Errorf("URL %s", p.URL())
	}
	next := func(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
	want := []collectors.Funding{
		{Exchange: "binance", Symbol: "BTCUSDT", Unified: "BTC/USDT:USDT", Rate: 0.0001, MarkPrice: 68123.4,
			NextFundingAt: next(1772467200000), ObservedAt: fixtureAt},
		{Exchange: "binance", Symbol: "1000PEPEUSDT", Unified: "1000PEPE/USDT:USDT", Rate: -0.0003125, MarkPrice: 0.009123,
			NextFundingAt: next(1772452800000), ObservedAt: fixtureAt},
		{Exchange: "binance", Symbol: "ETHUSDC", Unified: "ETH/USDC:USDC", Rate: 0.00005, MarkPrice: 2011.52,
			NextFundingAt: next(1772467200000), ObservedAt: fixtureAt},
	}
	got, err := p.Parse([]byte(markPriceFixture), fixtureAt)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	for _, f := range got {
		if err := stream.Check(f, fixtureAt); err != nil {
			t.Errorf("a good sample fails the check: %v", err)
		}
	}
}

func TestStreamParseGarbage(t *testing.T) {
	good := `{"e":"markPriceUpdate","E":1772445600000,"s":"BTCUSDT","p":"1","r":"0.0001","T":1772467200000}`
	tests := []struct {
		name    string
		msg     string
		samples int
		kind    collectors.ErrorKind
	}{
		{"HTML page", "<html><body>502</body></html>", 0, collectors.ErrNotJSON},
		{"one symbol's object, not the array", good, 0, collectors.ErrMalformed},
		{"truncated", `[` + good[:40], 0, collectors.ErrTruncated},
		{"event time as a string, neighbour kept", `[` + strings.Replace(good, `1772445600000`, `"1772445600000"`, 1) + `,` + good + `]`, 1, collectors.ErrMalformed},
		{"rate not a number", `[` + strings.Replace(good, `"0.0001"`, `"abc"`, 1) + `]`, 0, collectors.ErrMalformed},
		{"another event", `[{"e":"aggTrade","E":1,"s":"BTCUSDT"}]`, 0, collectors.ErrMalformed},
		{"empty array", `[]`, 0, ""},
	}
	p := binance.NewStream("")
	for _, tt := range tests {
		got, err := p.Parse([]byte(tt.msg), fixtureAt)
		var e *collectors.Error
		switch {
		case len(got) != tt.samples:
			t.Errorf("%s: %d samples, want %d", tt.name, len(got), tt.samples)
		case tt.kind == "" && err != nil:
			t.Errorf("%s: %v, want no error", tt.name, err)
		case tt.kind != "" && (!errors.As(err, &e) || e.Kind != tt.kind):
			t.Errorf("%s: error %v, want kind %s", tt.name, err, tt.kind)
		}
	}
}

// TestStreamLive runs the protocol on the Runner against a local server
// that plays Binance: the path, server pings answered with the same
// payload, and a reconnect after Binance ends the connection.
func TestStreamLive(t *testing.T) {
	srv := streamtest.NewServer(t)
	now := func() time.Time { return fixtureAt }
	r := stream.New(binance.NewStream(srv.URL+"/"), stream.Options{Silence: 5 * time.Second, Now: now,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
	ctx, cancel := context.WithCancel(context.Background())
	samples, gaps, done := make(chan []collectors.Funding, 10), make(chan stream.Gap, 10), make(chan error)
	go func() {
		done <- r.Run(ctx, func(fs []collectors.Funding) { samples <- fs }, func(g stream.Gap) { gaps <- g })
	}()
	defer func() { cancel(); <-done }()

	c := srv.Accept(t)
	if c.Path != "/ws/!markPrice@arr" {
		t.Errorf("path %s, want /ws/!markPrice@arr", c.Path)
	}
	c.Ping(t, "1772445600000")
	if got := c.Pong(t); got != "1772445600000" {
		t.Errorf("pong %q, want the ping's payload", got)
	}
	c.Send(markPriceFixture)
	if fs := wait(t, samples); len(fs) != 3 {
		t.Errorf("%d samples, want 3", len(fs))
	}
	c.Close(1000, "24h connection limit")
	srv.Accept(t).Send(markPriceFixture)
	wait(t, samples)
	if g := wait(t, gaps); g.Exchange != "binance" || g.Stream != "!markPrice@arr" ||
		g.Reason != "the exchange closed the connection (code 1000: 24h connection limit)" {
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

// BenchmarkStreamParse parses a full-size !markPrice@arr message: about
// 600 contracts, as Binance sends every 3 s.
func BenchmarkStreamParse(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("[")
	for i := range 600 {
		if i > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `{"e":"markPriceUpdate","E":1772445600000,"s":"C%03dUSDT","p":"1.23450000","i":"1.2344","P":"1.2346","r":"0.00010000","T":1772467200000}`, i)
	}
	sb.WriteString("]")
	msg := []byte(sb.String())
	p := binance.NewStream("")
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if fs, err := p.Parse(msg, fixtureAt); err != nil || len(fs) != 600 {
			b.Fatal(len(fs), err)
		}
	}
}
