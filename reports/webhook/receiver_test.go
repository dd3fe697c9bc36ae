package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// testSecret signs every test request; no test output may contain it.
const testSecret = "whsec-7Qm2-TEST-ONLY"

// request is one request a receiver got, and the status it answered.
type request struct {
	ID        string
	Timestamp string // X-Rivalwatch-Timestamp
	Body      []byte
	Status    int
}

// receiver is a local webhook receiver. respond answers request n
// (0-based); it verifies every request's signature first, with its own
// implementation of the scheme, and records what it answered.
type receiver struct {
	t       *testing.T
	srv     *httptest.Server
	secret  string
	respond func(n int, w http.ResponseWriter, r *http.Request)

	mu   sync.Mutex
	reqs []request
	got  chan request // every request, as it is answered
}

func newReceiver(t *testing.T, respond func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	rc := &receiver{t: t, secret: testSecret, respond: respond, got: make(chan request, 1<<14)}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	if err := verifySignature(r.Header, body, rc.secret); err != nil {
		rc.t.Errorf("receiver: %v", err)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	rc.mu.Lock()
	n := len(rc.reqs)
	rc.reqs = append(rc.reqs, request{ID: r.Header.Get("X-Rivalwatch-Event-Id"), Timestamp: r.Header.Get("X-Rivalwatch-Timestamp"), Body: body})
	rc.mu.Unlock()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	if rc.respond != nil {
		rc.respond(n, sw, r)
	}
	rc.mu.Lock()
	rc.reqs[n].Status = sw.status
	req := rc.reqs[n]
	rc.mu.Unlock()
	rc.got <- req
}

// requests returns what the receiver got so far.
func (rc *receiver) requests() []request {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]request(nil), rc.reqs...)
}

// delivered returns the event IDs answered 2xx, in arrival order.
func (rc *receiver) delivered() []string {
	var ids []string
	for _, r := range rc.requests() {
		if r.Status/100 == 2 {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// verifySignature checks a request as the README tells receivers to, and
// independently of the sender's code: the json format's HMAC over
// "<timestamp>.<body>", or Lark's own scheme inside the body.
func verifySignature(h http.Header, body []byte, secret string) error {
	ts := h.Get("X-Rivalwatch-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("timestamp %q: %v", ts, err)
	}
	if h.Get("User-Agent") != UserAgent || h.Get("Content-Type") != "application/json" || h.Get("X-Rivalwatch-Event-Id") == "" {
		return fmt.Errorf("headers %v", h)
	}
	var lark struct {
		MsgType   string `json:"msg_type"`
		Timestamp string `json:"timestamp"`
		Sign      string `json:"sign"`
	}
	if json.Unmarshal(body, &lark) == nil && lark.MsgType != "" {
		key := []byte(lark.Timestamp + "\n" + secret)
		want := base64.StdEncoding.EncodeToString(hmac.New(sha256.New, key).Sum(nil))
		if lark.Sign != want {
			return fmt.Errorf("lark sign %q, want %q", lark.Sign, want)
		}
		return nil
	}
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.%s", sec, body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if got := h.Get("X-Rivalwatch-Signature"); !hmac.Equal([]byte(got), []byte(want)) {
		return fmt.Errorf("signature %q, want %q", got, want)
	}
	return nil
}

// wait returns the next request the receiver answers, failing the test if
// none comes: the bound only turns a hang into a failure.
func (rc *receiver) wait() request {
	rc.t.Helper()
	select {
	case r := <-rc.got:
		return r
	case <-time.After(10 * time.Second):
		rc.t.Fatal("the receiver got nothing")
		return request{}
	}
}

// blockUntilGone holds a request until the client gives up on it, and
// records it as nginx's 499 "client closed request": an answer nobody got.
func blockUntilGone(w http.ResponseWriter, r *http.Request) {
	<-r.Context().Done()
	w.WriteHeader(499)
}

// clock is a fake clock whose Sleep moves time on at once.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}
