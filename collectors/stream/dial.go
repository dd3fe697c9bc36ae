package stream

import (
	"context"
	"net"
	"net/http"
	"sync"

	"github.com/gorilla/websocket"
)

// dial opens a websocket connection that ctx can abort at any stage.
// gorilla honours ctx while connecting but not while it waits for the
// handshake answer (only HandshakeTimeout bounds that), so a server that
// accepts and never answers would hold up shutdown; closing the socket
// underneath ends the wait.
func (r *Runner) dial(ctx context.Context) (*websocket.Conn, *http.Response, error) {
	var (
		mu      sync.Mutex
		sock    net.Conn
		stopped bool
	)
	d := *r.dialer
	d.NetDialContext = func(dctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(dctx, network, addr)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			c.Close()
			return nil, ctx.Err()
		}
		sock = c
		return c, nil
	}
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		if sock != nil {
			sock.Close()
		}
	})
	defer stop()
	return d.DialContext(ctx, r.p.URL(), http.Header{"User-Agent": {r.opts.UserAgent}})
}
