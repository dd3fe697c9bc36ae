// Package streamtest runs a local websocket server that plays an exchange
// in stream tests: the test takes each connection as it arrives, reads
// what the client sent and scripts what the "exchange" does next (send
// recorded messages, go quiet, send garbage, drop the connection).
package streamtest

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Wait bounds every wait for the client. It only runs out when a test is
// failing, so it is generous.
const Wait = 5 * time.Second

// Server is a loopback websocket server.
type Server struct {
	URL string // ws://127.0.0.1:port

	srv      *httptest.Server
	upgrader websocket.Upgrader
	conns    chan *Conn

	mu     sync.Mutex
	refuse []int // HTTP statuses for the next handshakes
	open   []*Conn
}

// NewServer starts a server that accepts websocket connections on any
// path; it is closed when the test ends.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{conns: make(chan *Conn, 64)}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = "ws" + strings.TrimPrefix(s.srv.URL, "http")
	t.Cleanup(func() {
		s.mu.Lock()
		for _, c := range s.open {
			c.ws.Close()
		}
		s.mu.Unlock()
		s.srv.Close()
	})
	return s
}

// Refuse answers the next handshakes with these HTTP statuses instead of
// upgrading, one status per handshake.
func (s *Server) Refuse(statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = append(s.refuse, statuses...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if len(s.refuse) > 0 {
		status := s.refuse[0]
		s.refuse = s.refuse[1:]
		s.mu.Unlock()
		http.Error(w, http.StatusText(status), status)
		return
	}
	s.mu.Unlock()
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &Conn{
		Path:     r.URL.Path,
		Header:   r.Header.Clone(),
		ws:       ws,
		received: make(chan []byte, 4096),
		pongs:    make(chan string, 16),
		gone:     make(chan struct{}),
	}
	ws.SetPongHandler(func(data string) error {
		select {
		case c.pongs <- data:
		default:
		}
		return nil
	})
	s.mu.Lock()
	s.open = append(s.open, c)
	s.mu.Unlock()
	go c.read()
	s.conns <- c
}

// Accept waits for the client's next connection.
func (s *Server) Accept(t testing.TB) *Conn {
	t.Helper()
	select {
	case c := <-s.conns:
		return c
	case <-time.After(Wait):
		t.Fatalf("no connection within %s", Wait)
		return nil
	}
}

// Conn is one client connection as the server sees it.
type Conn struct {
	Path   string      // the request path the client dialed
	Header http.Header // the handshake's request headers

	ws       *websocket.Conn
	wmu      sync.Mutex
	received chan []byte
	pongs    chan string
	gone     chan struct{}
}

// read collects the client's messages until it goes away. A test that
// does not read them loses the oldest beyond a few thousand.
func (c *Conn) read() {
	defer close(c.gone)
	for {
		_, msg, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		select {
		case c.received <- msg:
		default:
		}
	}
}

// Next returns the next message the client sent.
func (c *Conn) Next(t testing.TB) []byte {
	t.Helper()
	select {
	case m := <-c.received:
		return m
	case <-time.After(Wait):
		t.Fatalf("the client sent nothing within %s", Wait)
		return nil
	}
}

// Expect returns the next message containing want, skipping others (the
// client's keep-alive pings, say).
func (c *Conn) Expect(t testing.TB, want string) []byte {
	t.Helper()
	deadline := time.After(Wait)
	for {
		select {
		case m := <-c.received:
			if bytes.Contains(m, []byte(want)) {
				return m
			}
		case <-deadline:
			t.Fatalf("the client sent no message with %q within %s", want, Wait)
			return nil
		}
	}
}

// Send sends text messages to the client. Errors are ignored: a client
// that has gone is what some tests want.
func (c *Conn) Send(msgs ...string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	for _, m := range msgs {
		_ = c.ws.SetWriteDeadline(time.Now().Add(Wait))
		_ = c.ws.WriteMessage(websocket.TextMessage, []byte(m))
	}
}

// Ping sends a control-frame ping, as Binance does.
func (c *Conn) Ping(t testing.TB, data string) {
	t.Helper()
	if err := c.ws.WriteControl(websocket.PingMessage, []byte(data), time.Now().Add(Wait)); err != nil {
		t.Fatalf("ping: %v", err)
	}
}

// Pong waits for the client's pong and returns its payload.
func (c *Conn) Pong(t testing.TB) string {
	t.Helper()
	select {
	case p := <-c.pongs:
		return p
	case <-time.After(Wait):
		t.Fatalf("no pong within %s", Wait)
		return ""
	}
}

// Drop cuts the connection without a close message, like a network
// failure.
func (c *Conn) Drop() { c.ws.Close() }

// Close sends a close message with code and text, as an exchange ending a
// connection on purpose (Binance after 24 h), then closes.
func (c *Conn) Close(code int, text string) {
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(Wait))
	c.ws.Close()
}

// Gone waits until the client has closed the connection.
func (c *Conn) Gone(t testing.TB) {
	t.Helper()
	select {
	case <-c.gone:
	case <-time.After(Wait):
		t.Fatalf("the client kept the connection open for %s", Wait)
	}
}
