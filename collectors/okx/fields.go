package okx

import (
	"fmt"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// fields parses one row's numbers and times, keeping the first failure
// with the row and field it came from.
type fields struct {
	path, id string
	err      error
}

func (f *fields) num(name string, v collectors.Number) float64 {
	n, err := collectors.ParseFloat(string(v))
	if err != nil {
		f.fail(fmt.Sprintf("%s %s is not a number: %q", f.id, name, v))
	}
	return n
}

func (f *fields) millis(name string, v collectors.Number) time.Time {
	t, err := collectors.ParseMillis(string(v))
	if err != nil {
		f.fail(fmt.Sprintf("%s %s is not a millisecond timestamp: %q", f.id, name, v))
	}
	return t
}

func (f *fields) fail(msg string) {
	if f.err == nil {
		f.err = &collectors.Error{Kind: collectors.ErrMalformed, Path: f.path, Msg: msg}
	}
}

// observed is the exchange's timestamp, else our fetch time.
func (c *Collector) observed(ts time.Time) time.Time {
	if ts.IsZero() {
		return c.now().UTC()
	}
	return ts
}
