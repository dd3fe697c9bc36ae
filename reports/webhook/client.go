package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// DefaultTimeout bounds one delivery attempt, answer included.
const DefaultTimeout = 10 * time.Second

// UserAgent names us to receivers, so their operators know who calls.
const UserAgent = "rivalwatch/1.0 (webhook alerts)"

// maxResponseBytes caps what is read of an answer: only an error snippet
// (or Lark's status) is ever needed from it.
const maxResponseBytes = 64 << 10

// NewClient returns the HTTP client webhooks are sent with. It is not the
// exchanges' client: no rate limiter, no retries of its own (the outbox
// schedules them), and redirects are not followed, because a redirected
// webhook is a misconfigured one and following it would hand the signed
// alert to an address nobody configured.
func NewClient(timeout time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	dialer := &net.Dialer{Timeout: min(timeout, 5*time.Second), KeepAlive: 30 * time.Second}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   min(timeout, 10*time.Second),
			ResponseHeaderTimeout: timeout,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
			ForceAttemptHTTP2:     true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// post makes one signed attempt to deliver payload and classifies the
// outcome; nil means the receiver answered 2xx.
func (s *Sender) post(ctx context.Context, h Hook, id string, payload []byte, now time.Time) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(payload))
	if err != nil {
		return &Error{Kind: Permanent, Msg: "the webhook address is not usable"}
	}
	ts := now.Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("X-Rivalwatch-Event-Id", id)
	req.Header.Set("X-Rivalwatch-Timestamp", strconv.FormatInt(ts, 10))
	if h.Secret != "" && h.Format != Lark {
		req.Header.Set("X-Rivalwatch-Signature", signature(h.Secret, ts, payload))
	}
	if err := s.do(req, h, now); err != nil {
		err.Msg = redact(err.Msg, h)
		return err
	}
	return nil
}

func (s *Sender) do(req *http.Request, h Hook, now time.Time) *Error {
	client := s.client()
	resp, err := client.Do(req)
	if err != nil {
		return transportError(req.Context(), err, client.Timeout)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil && resp.StatusCode/100 != 2 {
		// The status says all there is to say; a cut-off body adds nothing.
		answer = nil
	}
	return classify(resp, answer, h, now)
}

// classify turns an answer into nil (delivered) or an *Error.
func classify(resp *http.Response, answer []byte, h Hook, now time.Time) *Error {
	status := resp.StatusCode
	msg := snippet(answer)
	switch {
	case status/100 == 2:
		if h.Format == Lark {
			return larkAnswer(answer)
		}
		return nil
	case status/100 == 3:
		return &Error{Kind: Permanent, Status: status,
			Msg: "the webhook redirects elsewhere; redirects are not followed, so fix its url"}
	case status == http.StatusRequestTimeout, status >= 500:
		return &Error{Kind: Retryable, Status: status, Msg: msg}
	case status == http.StatusTooManyRequests:
		return &Error{Kind: RateLimited, Status: status, Msg: msg, RetryAfter: retryAfter(resp.Header.Get("Retry-After"), now)}
	default:
		return &Error{Kind: Permanent, Status: status, Msg: msg}
	}
}

// larkAnswer reads a Lark bot's answer: Lark says HTTP 200 even when it
// refuses a message, and puts the verdict in the body.
func larkAnswer(answer []byte) *Error {
	var v struct {
		Code    *int   `json:"code"`
		Msg     string `json:"msg"`
		OldCode *int   `json:"StatusCode"`
	}
	if json.Unmarshal(answer, &v) != nil {
		return nil // not Lark's JSON: the 2xx is all we know
	}
	code := v.Code
	if code == nil {
		code = v.OldCode
	}
	if code == nil || *code == 0 {
		return nil
	}
	e := &Error{Kind: Permanent, Msg: fmt.Sprintf("Lark refused the message (code %d): %s", *code, snippet([]byte(v.Msg)))}
	if lower := strings.ToLower(v.Msg); strings.Contains(lower, "too many") || strings.Contains(lower, "rate limit") {
		e.Kind = RateLimited
	}
	return e
}

// retryAfter reads Retry-After in seconds or as an HTTP date; 0 when the
// receiver did not say, and the backoff schedule decides.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if secs, err := strconv.Atoi(v); err == nil && secs > 0 {
		return time.Duration(secs) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil && at.After(now) {
		return at.Sub(now)
	}
	return 0
}

// transportError classifies a request that got no answer. Every one is
// worth retrying: receivers restart, networks heal. The message never
// repeats the URL, which http.Client puts in its errors.
func transportError(ctx context.Context, err error, timeout time.Duration) *Error {
	var netErr net.Error
	var dnsErr *net.DNSError
	switch {
	case ctx.Err() != nil:
		return &Error{Kind: Retryable, Msg: "not sent: the run ended first"}
	case errors.As(err, &netErr) && netErr.Timeout():
		return &Error{Kind: Retryable, Msg: fmt.Sprintf("no answer within %s", timeout)}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &Error{Kind: Retryable, Msg: "connection refused"}
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Kind: Retryable, Msg: "the connection closed before an answer"}
	case errors.As(err, &dnsErr):
		return &Error{Kind: Retryable, Msg: "host name not found"}
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	return &Error{Kind: Retryable, Msg: "network error: " + err.Error()}
}

// snippet keeps the start of an answer for the delivery's error text.
func snippet(b []byte) string {
	return truncate(strings.Join(strings.Fields(string(b)), " "), 200)
}

// redact removes the webhook's credentials from text a receiver sent back:
// the secret, and the URL, whose path is the credential for Slack and
// Discord.
func redact(s string, h Hook) string {
	olds := []string{h.Secret, h.URL}
	if u, err := url.Parse(h.URL); err == nil && len(u.EscapedPath()) > 1 {
		olds = append(olds, u.EscapedPath(), u.Path)
	}
	for _, old := range olds {
		if old != "" {
			s = strings.ReplaceAll(s, old, "[redacted]")
		}
	}
	return s
}
