package webhook

import (
	"errors"
	"fmt"
	"time"
)

// ErrorKind says what the sender does after a failed attempt.
type ErrorKind string

// The kinds of failure, stored with the delivery and shown by `alerts list`.
const (
	Permanent   ErrorKind = "permanent"    // a 4xx, a redirect, an unusable URL: retrying cannot help
	Retryable   ErrorKind = "retryable"    // a 5xx, 408, a timeout, a refused connection
	RateLimited ErrorKind = "rate_limited" // a 429: retried once its Retry-After has passed
)

// Error is a failed delivery attempt. Its text never holds the webhook's
// URL or secret.
type Error struct {
	Kind       ErrorKind
	Status     int           // HTTP status, 0 when there was no answer
	RetryAfter time.Duration // how long the receiver asked us to wait; 0 if it did not say
	Msg        string
}

func (e *Error) Error() string {
	s := e.Msg
	if e.Status != 0 {
		s = fmt.Sprintf("HTTP %d", e.Status) + prefixed(": ", e.Msg)
	}
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(", retry after %s", e.RetryAfter.Round(time.Second))
	}
	return s
}

// KindOf returns the kind of a delivery error; an error of no known kind
// (a body that cannot be built) is permanent, since sending it again would
// fail the same way.
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Permanent
}

func prefixed(sep, s string) string {
	if s == "" {
		return ""
	}
	return sep + s
}
