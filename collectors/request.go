package collectors

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// RequestError turns what client.Do returned for path into an *Error. It
// keeps the transport's classification and drops the *url.Error wrapper,
// whose text repeats the whole URL. http.Client hides the transport's
// error behind its own on a client timeout, so that case is restated with
// the timeout that ran out.
func RequestError(client *http.Client, path string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Timeout() || KindOf(err) == ErrTimeout {
		msg := "no answer in time"
		if client.Timeout > 0 {
			msg = fmt.Sprintf("no answer within %s", client.Timeout)
		}
		return &Error{Kind: ErrTimeout, Path: path, Msg: msg}
	}
	var e *Error
	if errors.As(err, &e) {
		return WithPath(path, e)
	}
	if ue != nil {
		err = ue.Err
	}
	if errors.As(Classify(err), &e) {
		return WithPath(path, e)
	}
	return &Error{Kind: ErrNetwork, Path: path, Err: err}
}

// WithPath names the request on an *Error that lacks it and returns err.
func WithPath(path string, err error) error {
	var e *Error
	if errors.As(err, &e) && e.Path == "" {
		e.Path = path
	}
	return err
}
