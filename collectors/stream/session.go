package stream

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// writeWait bounds every write, so a stalled connection cannot hold the
// keep-alive forever.
const writeWait = 10 * time.Second

// ending is how one connection ended.
type ending struct {
	reason   string    // for an operator
	lastGood time.Time // the connection's last good message, zero if none
	gotData  bool      // it delivered samples
}

// session runs one connection: dial, subscribe, keep alive, read until
// the connection fails or ctx ends. Its goroutines have ended when it
// returns.
func (r *Runner) session(ctx context.Context, subs [][]byte, deliver func([]collectors.Funding)) ending {
	conn, resp, err := r.dial(ctx)
	if err != nil {
		return ending{reason: dialReason(err, resp, r.opts.HandshakeTimeout)}
	}
	defer conn.Close()
	r.p.Reset()
	conn.SetReadLimit(r.opts.MaxMessageBytes)

	var (
		once sync.Once
		why  string
	)
	fail := func(reason string) { once.Do(func() { why = reason }) }
	// Closing the connection when ctx ends unblocks whatever is waiting
	// on it: a subscribe write, the keep-alive, the read.
	closed := make(chan struct{})
	unwatch := context.AfterFunc(ctx, func() {
		defer close(closed)
		fail("stopped")
		_ = conn.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		conn.Close()
	})
	defer func() {
		if !unwatch() {
			<-closed
		}
	}()

	for i, msg := range subs {
		if i > 0 && r.rules.SubscribePause > 0 {
			if err := r.opts.Sleep(ctx, r.rules.SubscribePause); err != nil {
				return ending{reason: "stopped"}
			}
		}
		_ = conn.SetWriteDeadline(time.Now().Add(writeWait))
		if err := conn.WriteMessage(websocket.TextMessage, msg); err != nil {
			return ending{reason: "could not subscribe: " + plain(err)}
		}
	}

	var wg sync.WaitGroup
	stop := make(chan struct{})
	if r.rules.PingEvery > 0 && len(r.rules.Ping) > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.keepAlive(conn, stop, fail)
		}()
	}
	end := r.read(conn, deliver, fail)
	close(stop)
	wg.Wait()
	end.reason = why
	return end
}

// keepAlive sends the protocol's ping until stop closes. The subscribe
// messages are written before it starts, so it is the only writer.
func (r *Runner) keepAlive(conn *websocket.Conn, stop <-chan struct{}, fail func(string)) {
	t := time.NewTicker(r.rules.PingEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			_ = conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := conn.WriteMessage(websocket.TextMessage, r.rules.Ping); err != nil {
				fail("could not send the keep-alive: " + plain(err))
				conn.Close()
				return
			}
		}
	}
}

// read reads until the connection fails. Every good message (data, pong,
// ack, server ping) pushes the silence deadline back; unreadable ones do
// not, so a connection sending only garbage counts as silent.
func (r *Runner) read(conn *websocket.Conn, deliver func([]collectors.Funding), fail func(string)) ending {
	var end ending
	alive := func() { _ = conn.SetReadDeadline(time.Now().Add(r.rules.Silence)) }
	alive()
	answerPing := conn.PingHandler() // gorilla's: answers with a pong
	conn.SetPingHandler(func(data string) error {
		alive()
		end.lastGood = r.opts.Now()
		return answerPing(data)
	})
	bad := 0 // unreadable messages since the last good one
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			fail(r.readReason(err, bad))
			return end
		}
		now := r.opts.Now()
		samples, perr := r.parse(msg, now)
		parsed := len(samples)
		good := r.keep(samples, now)
		var api *collectors.Error
		switch {
		case len(good) > 0:
		case perr == nil && parsed == 0: // an ack or a pong
		case errors.As(perr, &api) && api.Kind == collectors.ErrAPI:
			r.log.Warn("the exchange refused part of the subscription", "err", perr)
		default: // unreadable, or nothing but implausible samples
			if perr != nil {
				r.skipped.Add(1) // implausible samples were counted one by one
			} else {
				perr = errors.New("every sample in the message is implausible")
			}
			if bad == 0 {
				r.log.Warn("skipping unreadable messages", "err", perr)
			}
			bad++
			continue
		}
		bad = 0
		alive()
		end.lastGood = now
		if perr != nil && len(good) > 0 {
			r.skipped.Add(1)
		}
		if len(good) > 0 {
			end.gotData = true
			deliver(good)
		}
	}
}

// parse is Protocol.Parse with a panic turned into an unreadable message:
// a parser bug met by one odd message must not end a daemon's streams.
func (r *Runner) parse(msg []byte, now time.Time) (fs []collectors.Funding, err error) {
	defer func() {
		if p := recover(); p != nil {
			fs, err = nil, &collectors.Error{Kind: collectors.ErrInternal, Msg: fmt.Sprintf("the message parser failed: %v", p)}
		}
	}()
	return r.p.Parse(msg, now)
}

// keep drops implausible samples in place, counting them.
func (r *Runner) keep(fs []collectors.Funding, now time.Time) []collectors.Funding {
	out := fs[:0]
	for _, f := range fs {
		if err := Check(f, now); err != nil {
			r.skipped.Add(1)
			r.log.Debug("skipping an implausible sample", "err", err)
			continue
		}
		out = append(out, f)
	}
	return out
}

func (r *Runner) readReason(err error, bad int) string {
	var ne net.Error
	var ce *websocket.CloseError
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		if bad > 0 {
			return fmt.Sprintf("%d unreadable messages and nothing usable for %s", bad, r.rules.Silence)
		}
		return fmt.Sprintf("no message for %s", r.rules.Silence)
	case errors.Is(err, websocket.ErrReadLimit):
		return fmt.Sprintf("a message was larger than the %d KiB cap", r.opts.MaxMessageBytes>>10)
	case errors.As(err, &ce) && ce.Code == websocket.CloseAbnormalClosure:
		return "the connection dropped"
	case errors.As(err, &ce):
		s := fmt.Sprintf("the exchange closed the connection (code %d", ce.Code)
		if ce.Text != "" {
			s += ": " + ce.Text
		}
		return s + ")"
	}
	return "connection lost: " + plain(err)
}

func dialReason(err error, resp *http.Response, timeout time.Duration) string {
	var ne net.Error
	switch {
	case resp != nil:
		s := fmt.Sprintf("the exchange refused the connection (HTTP %d", resp.StatusCode)
		switch resp.StatusCode {
		case http.StatusTooManyRequests, http.StatusTeapot:
			s += ", rate limited"
		case http.StatusUnavailableForLegalReasons, http.StatusForbidden:
			s += ", blocked from this location or address"
		}
		return s + ")"
	case errors.Is(err, context.Canceled):
		return "stopped"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("could not connect: no answer within %s", timeout)
	}
	return "could not connect: " + plain(err)
}

// plain is an error without the addresses and calls Go wraps it in:
// "connection refused", not "dial tcp 127.0.0.1:1: connect: connection
// refused".
func plain(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		err = op.Err
	}
	var sc *os.SyscallError
	if errors.As(err, &sc) && sc.Err != nil {
		err = sc.Err
	}
	return err.Error()
}
