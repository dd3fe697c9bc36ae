package webhook

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestAttemptOutcomes posts one alert to receivers answering in every way
// that matters and checks what the sender makes of it.
func TestAttemptOutcomes(t *testing.T) {
	redirectTarget := newReceiver(t, nil)
	for _, tc := range []struct {
		name    string
		format  Format
		respond func(w http.ResponseWriter, r *http.Request)
		kind    ErrorKind // "" for delivered
		msg     string
		after   time.Duration
	}{
		{name: "200", respond: func(w http.ResponseWriter, r *http.Request) {}},
		{name: "204 (Discord)", respond: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }},
		{name: "500", kind: Retryable, msg: "HTTP 500: database is down",
			respond: func(w http.ResponseWriter, r *http.Request) { http.Error(w, "database is down", 500) }},
		{name: "503", kind: Retryable, msg: "HTTP 503",
			respond: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }},
		{name: "408", kind: Retryable, msg: "HTTP 408",
			respond: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(408) }},
		{name: "429 with seconds", kind: RateLimited, after: 30 * time.Second, msg: "HTTP 429: slow down, retry after 30s",
			respond: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "30")
				http.Error(w, "slow down", 429)
			}},
		{name: "429 with a date", kind: RateLimited, after: 2 * time.Minute, msg: "HTTP 429, retry after 2m0s",
			respond: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", t0.Add(2*time.Minute).Format(http.TimeFormat))
				w.WriteHeader(429)
			}},
		{name: "429 without Retry-After", kind: RateLimited, msg: "HTTP 429",
			respond: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(429) }},
		{name: "400", kind: Permanent, msg: "HTTP 400: invalid_payload",
			respond: func(w http.ResponseWriter, r *http.Request) { http.Error(w, "invalid_payload", 400) }},
		{name: "404", kind: Permanent, msg: "HTTP 404: no_service",
			respond: func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no_service", 404) }},
		{name: "redirect not followed", kind: Permanent, msg: "HTTP 308: the webhook redirects elsewhere; redirects are not followed, so fix its url",
			respond: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, redirectTarget.srv.URL, http.StatusPermanentRedirect)
			}},
		{name: "slow", kind: Retryable, msg: "no answer within 200ms", respond: blockUntilGone},
		{name: "long error body", kind: Permanent, msg: "HTTP 422: " + strings.Repeat("x", 199) + "…",
			respond: func(w http.ResponseWriter, r *http.Request) { http.Error(w, strings.Repeat("x", 1<<20), 422) }},
		{name: "lark accepts", format: Lark,
			respond: func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"code":0,"data":{},"msg":"success"}`)) }},
		{name: "lark refuses with 200", format: Lark, kind: Permanent,
			msg: "Lark refused the message (code 19021): sign match fail or timestamp is not within one hour from current time",
			respond: func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(`{"code":19021,"data":{},"msg":"sign match fail or timestamp is not within one hour from current time"}`))
			}},
		{name: "lark rate limit", format: Lark, kind: RateLimited, msg: "Lark refused the message (code 9499): too many request",
			respond: func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(`{"code":9499,"msg":"too many request"}`))
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) { tc.respond(w, r) })
			s := &Sender{Client: NewClient(200 * time.Millisecond)}
			h := Hook{Name: "ops", URL: rc.srv.URL, Format: tc.format, Secret: testSecret}
			payload, err := body(h, feeCut(), "a fee cut", t0)
			if err != nil {
				t.Fatal(err)
			}
			err = s.post(context.Background(), h, "6f1c2a9be0d34a71", payload, t0)
			checkOutcome(t, err, tc.kind, tc.msg, tc.after)
		})
	}
	if n := len(redirectTarget.requests()); n != 0 {
		t.Errorf("the redirect was followed: its target got %d requests", n)
	}
}

func checkOutcome(t *testing.T, err error, kind ErrorKind, msg string, after time.Duration) {
	t.Helper()
	if kind == "" {
		if err != nil {
			t.Fatalf("not delivered: %v", err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want a *webhook.Error", err, err)
	}
	if e.Kind != kind || e.RetryAfter != after || e.Error() != msg {
		t.Errorf("got %s %q after %s, want %s %q after %s", e.Kind, e.Error(), e.RetryAfter, kind, msg, after)
	}
}

func TestAttemptWithoutAnswer(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close() // nothing listens there now
	s := &Sender{Client: NewClient(time.Second)}
	for _, tc := range []struct {
		name, url string
		kind      ErrorKind
		msg       string
	}{
		{"refused", closed.URL, Retryable, "connection refused"},
		{"unusable url", "http://[::1", Permanent, "the webhook address is not usable"},
	} {
		err := s.post(context.Background(), Hook{URL: tc.url}, "x", []byte("{}"), t0)
		checkOutcome(t, err, tc.kind, tc.msg, 0)
	}
}

// TestErrorsNeverShowCredentials: a receiver echoing the request (a
// misconfigured proxy does) must not put the secret or the URL's token
// into the error text that is stored and shown.
func TestErrorsNeverShowCredentials(t *testing.T) {
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no route for "+r.URL.String()+" secret="+testSecret, http.StatusNotFound)
	})
	h := Hook{Name: "ops", URL: rc.srv.URL + "/services/T0KEN-PATH", Secret: testSecret}
	s := &Sender{Client: NewClient(time.Second)}
	err := s.post(context.Background(), h, "x", []byte("{}"), t0)
	if err == nil {
		t.Fatal("delivered")
	}
	for _, bad := range []string{testSecret, "T0KEN-PATH", rc.srv.URL} {
		if strings.Contains(err.Error(), bad) {
			t.Errorf("error shows %q: %v", bad, err)
		}
	}
	if !strings.Contains(err.Error(), "HTTP 404: no route for [redacted] secret=[redacted]") {
		t.Errorf("error %v", err)
	}
}
