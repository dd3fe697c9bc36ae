package live

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/okx"
	"github.com/rivalwatch/rivalwatch/collectors/stream"
	"github.com/rivalwatch/rivalwatch/collectors/stream/streamtest"
	"github.com/rivalwatch/rivalwatch/diff"
	"github.com/rivalwatch/rivalwatch/store"
)

// pushAt is the exchange's time of the first pushes (hh:mm:12.345).
var pushAt = time.UnixMilli(1772445612345).UTC()

// push has the shape of an OKX funding-rate push: a 4 h interval.
func push(instID, rate string, at time.Time) string {
	return fmt.Sprintf(`{"arg":{"channel":"funding-rate","instId":%q},"data":[{"formulaType":"withRate","fundingRate":%q,
"fundingTime":"1772452800000","instId":%q,"instType":"SWAP","interestRate":"0.0001","maxFundingRate":"0.015",
"method":"current_period","minFundingRate":"-0.015","nextFundingRate":"","nextFundingTime":"1772467200000",
"premium":"-0.0002","prevFundingTime":"1772438400000","settFundingRate":"0.00004","settState":"settled","ts":"%d"}]}`,
		instID, rate, instID, at.UnixMilli())
}

// notifying is the real store, telling the test when samples and gaps
// have been stored.
type notifying struct {
	*store.Store
	saved chan int
	gaps  chan store.Gap
}

func (n *notifying) SaveFundingSamples(ctx context.Context, o store.Origin, fs []collectors.Funding) (int, error) {
	added, err := n.Store.SaveFundingSamples(ctx, o, fs)
	n.saved <- added
	return added, err
}

func (n *notifying) SaveStreamGap(ctx context.Context, g store.Gap) error {
	err := n.Store.SaveStreamGap(ctx, g)
	n.gaps <- g
	return err
}

func TestStreamsStoreSamplesGapsAndExtremes(t *testing.T) {
	ctx := context.Background()
	// Our clock runs two minutes after the pushes, so each sample's
	// minute has closed when it arrives, and ticks forward on every read.
	var ticks atomic.Int64
	now := func() time.Time { return pushAt.Add(2*time.Minute + time.Duration(ticks.Add(1))*time.Millisecond) }
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "rivalwatch.db"), store.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// The REST basis: two swaps, funding at a normal 1 bp per 4 h.
	var insts []collectors.Instrument
	var rest []collectors.Funding
	for _, id := range []string{"BTC-USDT-SWAP", "ETH-USDT-SWAP"} {
		base := strings.Split(id, "-")[0]
		insts = append(insts, collectors.Instrument{Exchange: "okx", Symbol: id, Unified: base + "/USDT:USDT", Base: base,
			Quote: "USDT", Settle: "USDT", ContractType: collectors.Perpetual, Margin: collectors.Linear,
			Status: collectors.StatusTrading, NativeStatus: "live", NativeType: "SWAP", ContractSize: 0.01})
		rest = append(rest, collectors.Funding{Exchange: "okx", Symbol: id, Unified: base + "/USDT:USDT", Rate: 1e-4,
			IntervalHours: 4, ObservedAt: pushAt.Add(-time.Minute)})
	}
	for _, snap := range []collectors.Snapshot{
		{Exchange: "okx", Kind: collectors.KindInstruments, StartedAt: pushAt.Add(-time.Hour), Records: collectors.Records{Instruments: insts}},
		{Exchange: "okx", Kind: collectors.KindFunding, StartedAt: pushAt.Add(-time.Minute), Records: collectors.Records{Funding: rest}},
	} {
		if _, err := db.Save(ctx, snap); err != nil {
			t.Fatal(err)
		}
	}

	srv := streamtest.NewServer(t)
	st := &notifying{Store: db, saved: make(chan int, 16), gaps: make(chan store.Gap, 4)}
	swaps := func(is []collectors.Instrument) []string {
		var out []string
		for _, i := range is {
			out = append(out, i.Symbol)
		}
		return out
	}
	s := New(st, []Exchange{{Name: "okx", Symbols: swaps,
		Protocol: func(symbols []string) stream.Protocol { return okx.NewStream(srv.URL, symbols) }}},
		Options{Diff: diff.Config{ExtremeAnnualized: 1}, Now: now,
			Runner: stream.Options{BackoffMin: time.Millisecond, BackoffMax: time.Millisecond}})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.Run(runCtx) }()

	wait := func(what string, ch <-chan int) int {
		t.Helper()
		select {
		case n := <-ch:
			return n
		case <-time.After(streamtest.Wait):
			t.Fatalf("no %s within %s", what, streamtest.Wait)
			return 0
		}
	}
	c := srv.Accept(t)
	c.Expect(t, "ETH-USDT-SWAP")
	c.Send(push("BTC-USDT-SWAP", "0.0001", pushAt))
	wait("normal sample", st.saved)
	c.Send("<html>blocked</html>", `{"arg":{"channel":"funding-rate","instId":"BTC-USDT-SWAP"},"data":[{"fundingRate":"NaN"}]}`)
	c.Send(push("ETH-USDT-SWAP", "0.01", pushAt)) // 1% per 4 h: 2,190 %/yr
	wait("extreme sample", st.saved)
	c.Send(push("ETH-USDT-SWAP", "0.011", pushAt.Add(-time.Second))) // same minute, older: dropped by the sampler
	c.Drop()

	c = srv.Accept(t)
	c.Expect(t, "ETH-USDT-SWAP")
	later := pushAt.Add(time.Minute)
	c.Send(push("ETH-USDT-SWAP", "0.012", later), push("BTC-USDT-SWAP", "0.0002", later)) // still extreme: no new event
	var g store.Gap
	select {
	case g = <-st.gaps:
	case <-time.After(streamtest.Wait):
		t.Fatal("no gap stored after the dropped connection")
	}
	for n := 0; n < 2; n += wait("samples after reconnecting", st.saved) {
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	rows := func(q string) [][]any {
		t.Helper()
		res, err := db.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return res.Rows
	}
	minute := func(at time.Time) string { return at.Format("2006-01-02T15:04:05.000Z") }
	wantSamples := [][]any{
		{"BTC-USDT-SWAP", "BTC/USDT:USDT", 1e-4, 4.0, minute(pushAt)},
		{"BTC-USDT-SWAP", "BTC/USDT:USDT", 2e-4, 4.0, minute(later)},
		{"ETH-USDT-SWAP", "ETH/USDT:USDT", 0.01, 4.0, minute(pushAt)},
		{"ETH-USDT-SWAP", "ETH/USDT:USDT", 0.012, 4.0, minute(later)},
	}
	if got := rows(`SELECT symbol, unified, rate, interval_hours, observed_at FROM funding_history
		WHERE origin = 'stream' ORDER BY symbol, observed_at`); !reflect.DeepEqual(got, wantSamples) {
		t.Errorf("stream samples:\n got %v\nwant %v", got, wantSamples)
	}
	if got := rows(`SELECT exchange, stream, reason FROM stream_gaps`); len(got) != 1 || got[0][1] != "funding-rate" || got[0][2] == "" {
		t.Errorf("gaps %v, want the one outage with its reason", got)
	}
	if !g.To.After(g.From) {
		t.Errorf("gap %v to %v", g.From, g.To)
	}
	if got := rows(`SELECT exchange, type, symbol, old, new FROM changes`); len(got) != 1 || got[0][1] != "funding.extreme" || got[0][2] != "ETH-USDT-SWAP" {
		t.Errorf("changes %v, want one funding.extreme for ETH-USDT-SWAP", got)
	}
	status := s.Status()
	if len(status) != 1 || status[0].Samples != 4 || status[0].Events != 1 || status[0].Reconnects < 1 || status[0].Skipped < 2 {
		t.Errorf("status %+v", status)
	}
}

func TestStreamsWaitForInstruments(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "rivalwatch.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	dialed := make(chan struct{}, 1)
	s := New(db, []Exchange{{Name: "bybit", Symbols: func([]collectors.Instrument) []string { return nil },
		Protocol: func([]string) stream.Protocol { dialed <- struct{}{}; return nil }}}, Options{Refresh: time.Hour})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.Run(runCtx) }()
	for s.Status()[0].Err == "" {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	if st := s.Status()[0]; !strings.Contains(st.Err, "no complete funding snapshot") {
		t.Errorf("status %+v", st)
	}
	select {
	case <-dialed:
		t.Error("a stream started without a funding snapshot")
	default:
	}
}
