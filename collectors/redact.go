package collectors

import (
	"errors"
	"strings"
)

// Redact returns err as an *Error of its kind with every secret replaced
// by "[redacted]" in every text it carries, so a key, a secret or a
// passphrase an exchange echoes back never reaches a log, a run row or a
// person. path names the request when the error has none; scrub, when
// set, cleans further (Binance's signature parameter).
func Redact(err error, path string, scrub func(string) string, secrets ...string) error {
	if err == nil {
		return nil
	}
	clean := func(text string) string {
		for _, s := range secrets {
			if s != "" {
				text = strings.ReplaceAll(text, s, "[redacted]")
			}
		}
		if scrub != nil {
			text = scrub(text)
		}
		return text
	}
	var e *Error
	if !errors.As(Classify(err), &e) {
		return &Error{Kind: ErrInternal, Path: path, Msg: clean(err.Error())}
	}
	c := *e
	c.Msg = clean(c.Msg)
	if c.Path == "" {
		c.Path = path
	}
	if c.Err != nil {
		c.Err = errors.New(clean(c.Err.Error()))
	}
	return &c
}
