package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/store"
)

// demoStreams plays live funding for demo --serve over local websockets,
// one path per exchange, in each exchange's own message shape: every
// `every`, the funding of the latest stored snapshot, as recorded (a rate
// nudged near a threshold would make alerts the recordings do not hold).
// It answers the clients' subscriptions and keep-alive pings as the
// exchanges do.
type demoStreams struct {
	db    string
	every time.Duration
	now   func() time.Time
	ctx   context.Context // ends every connection

	upgrader websocket.Upgrader
}

// demoStreamPaths are the websocket base of each exchange on the demo
// server; the collectors append their own path (Binance /ws/!markPrice@arr).
var demoStreamPaths = map[string]string{"binance": "/stream/binance", "bybit": "/stream/bybit", "okx": "/stream/okx"}

func (d *demoStreams) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	exchange := ""
	for name, p := range demoStreamPaths {
		if strings.HasPrefix(r.URL.Path, p) {
			exchange = name
		}
	}
	if exchange == "" {
		http.NotFound(w, r)
		return
	}
	conn, err := d.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	ctx, cancel := context.WithCancel(d.ctx)
	defer cancel()
	c := &demoConn{conn: conn, exchange: exchange, subscribed: map[string]bool{}}
	go func() {
		defer cancel()
		c.answer()
	}()
	st, err := store.OpenReadOnly(ctx, d.db)
	if err != nil {
		return
	}
	defer st.Close()
	tick := time.NewTicker(d.every)
	defer tick.Stop()
	var snapshot int64 // the snapshot funding was read from: read again only when a newer one is stored
	var funding []collectors.Funding
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		refs, err := st.CompleteRuns(ctx, exchange, collectors.KindFunding, d.now(), 1)
		if err != nil || len(refs) == 0 {
			continue
		}
		if refs[0].SnapshotID != snapshot {
			recs, err := st.Records(ctx, refs[0].SnapshotID)
			if err != nil {
				continue
			}
			snapshot, funding = refs[0].SnapshotID, recs.Funding
		}
		if err := c.push(funding, d.now()); err != nil {
			return
		}
	}
}

// demoConn is one client of the demo streams.
type demoConn struct {
	conn     *websocket.Conn
	exchange string

	wmu        sync.Mutex // gorilla allows one writer at a time
	mu         sync.Mutex
	subscribed map[string]bool // Bybit and OKX: the symbols asked for
}

func (c *demoConn) write(msg []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.conn.WriteMessage(websocket.TextMessage, msg)
}

// answer reads the client's messages until the connection ends: it
// records subscriptions and acknowledges them, and answers text pings.
func (c *demoConn) answer() {
	for {
		_, msg, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		if string(msg) == "ping" { // OKX
			c.write([]byte("pong"))
			continue
		}
		var req struct {
			Op   string            `json:"op"`
			Args []json.RawMessage `json:"args"`
		}
		if json.Unmarshal(msg, &req) != nil {
			continue
		}
		switch {
		case req.Op == "ping": // Bybit
			c.write([]byte(`{"success":true,"ret_msg":"pong","conn_id":"demo","op":"ping"}`))
		case req.Op == "subscribe":
			c.subscribe(req.Args)
		}
	}
}

func (c *demoConn) subscribe(args []json.RawMessage) {
	for _, a := range args {
		var topic string
		var arg struct {
			InstID string `json:"instId"`
		}
		switch {
		case json.Unmarshal(a, &topic) == nil: // Bybit: "tickers.BTCUSDT"
			c.mark(strings.TrimPrefix(topic, "tickers."))
		case json.Unmarshal(a, &arg) == nil: // OKX: {"channel":"funding-rate","instId":…}
			c.mark(arg.InstID)
			c.write(fmt.Appendf(nil, `{"event":"subscribe","arg":%s,"connId":"demo"}`, a))
		}
	}
	if c.exchange == "bybit" {
		c.write([]byte(`{"success":true,"ret_msg":"","conn_id":"demo","op":"subscribe"}`))
	}
}

func (c *demoConn) mark(symbol string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.subscribed[symbol] = true
}

func (c *demoConn) wants(symbol string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.subscribed[symbol]
}

// push sends one round of funding in the exchange's shape.
func (c *demoConn) push(fs []collectors.Funding, now time.Time) error {
	ms := now.UnixMilli()
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	var marks []map[string]any
	for _, f := range fs {
		rate := num(f.Rate)
		next := nextSettlement(now, f.IntervalHours).UnixMilli()
		switch c.exchange {
		case "binance":
			marks = append(marks, map[string]any{"e": "markPriceUpdate", "E": ms, "s": f.Symbol, "p": num(f.MarkPrice),
				"P": num(f.MarkPrice), "r": rate, "T": next})
		case "bybit":
			if !c.wants(f.Symbol) {
				continue
			}
			msg, _ := json.Marshal(map[string]any{"topic": "tickers." + f.Symbol, "type": "snapshot", "ts": ms, "cs": ms,
				"data": map[string]string{"symbol": f.Symbol, "fundingRate": rate, "nextFundingTime": strconv.FormatInt(next, 10),
					"markPrice": num(f.MarkPrice), "fundingIntervalHour": num(f.IntervalHours)}})
			if err := c.write(msg); err != nil {
				return err
			}
		case "okx":
			if !c.wants(f.Symbol) {
				continue
			}
			msg, _ := json.Marshal(map[string]any{"arg": map[string]string{"channel": "funding-rate", "instId": f.Symbol},
				"data": []map[string]string{{"instId": f.Symbol, "instType": "SWAP", "fundingRate": rate,
					"fundingTime": strconv.FormatInt(next, 10), "nextFundingTime": strconv.FormatInt(next+int64(f.IntervalHours*3.6e6), 10),
					"maxFundingRate": num(f.Cap), "minFundingRate": num(f.Floor), "ts": strconv.FormatInt(ms, 10)}}})
			if err := c.write(msg); err != nil {
				return err
			}
		}
	}
	if c.exchange == "binance" {
		msg, _ := json.Marshal(marks)
		return c.write(msg)
	}
	return nil
}

// nextSettlement is the next multiple of the interval after now, as the
// exchanges settle (UTC hours divisible by the interval).
func nextSettlement(now time.Time, intervalHours float64) time.Time {
	step := time.Duration(max(intervalHours, 1) * float64(time.Hour))
	return now.UTC().Truncate(step).Add(step)
}
