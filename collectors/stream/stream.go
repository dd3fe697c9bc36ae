// Package stream keeps a live websocket feed of funding rates running:
// it connects, subscribes, keeps the connection alive by each exchange's
// rules, notices a connection that has gone quiet, reconnects with
// backoff and jitter, resubscribes, and reports every stretch without data
// as a Gap, so an analyst can tell "no change" from "no data".
//
// The exchange-specific part (URL, subscribe messages, keep-alive, message
// format) is a Protocol; each exchange package has one (binance.NewStream,
// bybit.NewStream, okx.NewStream). A Runner drives one Protocol over one
// connection at a time, and a Sampler reduces its samples to the
// resolution they are stored at.
package stream

import (
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// Protocol is one exchange's websocket dialect for one stream. A Runner
// calls its methods from one goroutine, so an implementation may keep
// per-connection state (Bybit's deltas) without locking; one Protocol
// serves one Runner.
type Protocol interface {
	// Exchange is the lower-case exchange name: binance, bybit, okx.
	Exchange() string
	// Stream names the feed in gaps and logs: "!markPrice@arr", "tickers".
	Stream() string
	// URL is the websocket address to dial.
	URL() string
	// Subscriptions are the text messages sent after every connect, each
	// within the exchange's size limits. An error means the stream cannot
	// be run at all (too many symbols for one connection, say).
	Subscriptions() ([][]byte, error)
	// Rules are the exchange's keep-alive and pacing rules.
	Rules() Rules
	// Reset forgets what the previous connection told: a new connection
	// starts from fresh snapshots.
	Reset()
	// Parse reads one message received at the given time. A subscription
	// ack or a pong gives no samples and no error. An error of kind
	// collectors.ErrAPI is the exchange refusing part of the subscription
	// (the connection is still good); any other error means the message was
	// unreadable. Samples parsed before an error are still returned.
	Parse(msg []byte, received time.Time) ([]collectors.Funding, error)
}

// Rules are how one exchange wants its connections kept.
type Rules struct {
	// PingEvery is how often we send Ping; zero when the server pings us
	// (gorilla answers control-frame pings with pongs).
	PingEvery time.Duration
	// Ping is the text message sent every PingEvery.
	Ping []byte
	// Silence is how long the connection may go without a readable message
	// (data, pong, ack or a server ping) before we drop and reconnect.
	Silence time.Duration
	// SubscribePause spaces subscribe messages for exchanges that limit how
	// many requests a connection may send per second.
	SubscribePause time.Duration
}

// Gap is a stretch of time when a stream delivered no data: from the last
// good message before the failure to the first sample after reconnecting.
type Gap struct {
	Exchange string
	Stream   string
	From, To time.Time
	Reason   string // what broke first, in words for an operator
}

// Duration is how long the stream was down.
func (g Gap) Duration() time.Duration { return g.To.Sub(g.From) }
