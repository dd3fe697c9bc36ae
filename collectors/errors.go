package collectors

import (
	"cmp"
	"context"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"strings"
	"time"

	json "github.com/goccy/go-json"
)

// ErrorKind says why a pull failed, in words an operator can act on.
type ErrorKind string

// The kinds of failure. Each is stored on the run and shown on the digest's
// freshness line.
const (
	ErrRateLimited ErrorKind = "rate_limited" // HTTP 429, Bybit 403 "too frequent", OKX 50011
	ErrBanned      ErrorKind = "ip_banned"    // Binance HTTP 418: IP banned for a while
	ErrGeoBlocked  ErrorKind = "geo_blocked"  // HTTP 451, or 403 from this location
	ErrServer      ErrorKind = "server_error" // HTTP 5xx
	ErrRejected    ErrorKind = "rejected"     // another HTTP 4xx
	ErrTimeout     ErrorKind = "timeout"      // no answer in time
	ErrNetwork     ErrorKind = "network"      // connection refused, reset, DNS
	ErrNotJSON     ErrorKind = "not_json"     // an HTML page (bot challenge, maintenance) instead of JSON
	ErrTruncated   ErrorKind = "truncated"    // the body ended early
	ErrTooLarge    ErrorKind = "too_large"    // the body exceeded the size cap
	ErrMalformed   ErrorKind = "malformed"    // JSON that does not fit the documented shape
	ErrAPI         ErrorKind = "api_error"    // retCode != 0, code != "0"
	ErrEmpty       ErrorKind = "empty"        // an empty list where there must be items
	ErrImplausible ErrorKind = "implausible"  // far fewer items than the last complete snapshot
	ErrInterrupted ErrorKind = "interrupted"  // stopped by the operator (Ctrl-C, SIGTERM) before the exchange answered
	ErrStore       ErrorKind = "store_failed" // the pull answered but storing it failed
	ErrInternal    ErrorKind = "internal"     // anything else
)

// Error is a failed request or an unusable response.
type Error struct {
	Kind       ErrorKind
	Status     int           // HTTP status, 0 if none
	RetryAfter time.Duration // how long the exchange asked us to wait
	Path       string        // request path without query or host
	Msg        string
	Err        error
}

func (e *Error) Error() string {
	s := string(e.Kind)
	if e.Path != "" {
		s = e.Path + ": " + s
	}
	if e.Status != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(", retry after %s", e.RetryAfter.Round(time.Second))
	}
	if e.Err != nil && e.Err != errHeld { // a held request's message says so already
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Stopped reports a request given up because ctx ended: a timeout when its
// deadline passed (or would have before the request could start), an
// interruption when it was cancelled, by the operator or by FanOut after a
// sibling's failure. msg says what ran out of time.
func Stopped(ctx context.Context, path, msg string) *Error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return &Error{Kind: ErrInterrupted, Path: path, Msg: "cancelled before the answer", Err: ctx.Err()}
	}
	return &Error{Kind: ErrTimeout, Path: path, Msg: msg, Err: ctx.Err()}
}

// KindOf returns the ErrorKind of err, ErrInternal when it carries none.
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(Classify(err), &e) {
		return e.Kind
	}
	return ErrInternal
}

// Classify turns an error from a request or a JSON decode into an *Error
// when it is one of the known kinds; other errors pass through unchanged.
// Collectors built on third-party clients (go-binance) use it to keep the
// failure kind visible.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var netErr net.Error
	syntax, isSyntax := jsonSyntaxError(err)
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Kind: ErrTruncated, Msg: "the response ended early", Err: err}
	case isSyntax && syntax == "unexpected end of JSON input":
		return &Error{Kind: ErrTruncated, Msg: "the JSON ended early", Err: err}
	case isSyntax:
		return &Error{Kind: ErrMalformed, Msg: "the JSON does not parse", Err: err}
	}
	if field, got, want, ok := jsonTypeError(err); ok {
		// Name the field: "instId: a number where text belongs" tells an
		// operator what the exchange changed.
		if i := strings.LastIndexByte(field, '.'); i >= 0 {
			field = field[i+1:]
		}
		return &Error{Kind: ErrMalformed, Msg: fmt.Sprintf("%s: %s where %s belongs", cmp.Or(field, "the answer"),
			jsonKind(got), jsonKind(want.Kind().String()))}
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		// http.Client flattens the cause of its own timeout into text that
		// repeats the whole URL; the kind says all there is to say.
		return &Error{Kind: ErrTimeout, Msg: "no answer in time"}
	}
	return err
}

// jsonSyntaxError reports the message of a JSON syntax error, from
// go-json (our decoders) or encoding/json (go-binance's).
func jsonSyntaxError(err error) (string, bool) {
	var ours *json.SyntaxError
	var std *stdjson.SyntaxError
	switch {
	case errors.As(err, &ours):
		return ours.Error(), true
	case errors.As(err, &std):
		return std.Error(), true
	}
	return "", false
}

// jsonTypeError reports the field, the JSON kind received and the Go type
// expected of a JSON value of the wrong type, from either decoder.
func jsonTypeError(err error) (field, got string, want reflect.Type, ok bool) {
	var ours *json.UnmarshalTypeError
	var std *stdjson.UnmarshalTypeError
	switch {
	case errors.As(err, &ours):
		return ours.Field, ours.Value, ours.Type, true
	case errors.As(err, &std):
		return std.Field, std.Value, std.Type, true
	}
	return "", "", nil, false
}

// DecodeJSON decodes a response body, telling an HTML page, a truncated
// body and a malformed one apart.
func DecodeJSON(body []byte, v any) error {
	if looksLikeHTML(body) {
		return &Error{Kind: ErrNotJSON, Msg: "got an HTML page instead of JSON (bot challenge or maintenance page)"}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return Classify(err)
	}
	return nil
}

// jsonKind names a JSON value or Go kind in an operator's words.
func jsonKind(k string) string {
	switch {
	case k == "string":
		return "text"
	case k == "number" || strings.HasPrefix(k, "int") || strings.HasPrefix(k, "uint") || strings.HasPrefix(k, "float") || strings.HasPrefix(k, "number "):
		return "a number"
	case k == "bool":
		return "true or false"
	case k == "array" || k == "slice":
		return "a list"
	case k == "object" || k == "struct" || k == "map":
		return "an object"
	}
	return k
}
