package collectors

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	json "github.com/goccy/go-json"
)

// Number is a number as exchanges send it: a JSON string ("0.10", the
// usual form), a bare JSON number (a field that changed form one day) or
// null (kept as ""). It keeps the text, so a parse error can quote it;
// ParseFloat and ParseMillis read it.
type Number string

// UnmarshalJSON accepts "1.5", 1.5 and null. Any other value (an object,
// a list, true) is kept as its JSON text, which then fails to parse as a
// number where the caller can name the symbol and field. A string without
// escapes, as every number is, is taken as it stands: this runs for most
// fields of a sweep.
func (n *Number) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) >= 2 && b[0] == '"' && bytes.IndexByte(b, '\\') < 0:
		*n = Number(bytes.TrimSpace(b[1 : len(b)-1]))
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*n = Number(strings.TrimSpace(s))
	case string(b) == "null":
		*n = ""
	default:
		*n = Number(b)
	}
	return nil
}

// Fields reads one record's numbers and times and keeps the first failure
// as a malformed error naming the endpoint, the record and the field, so a
// parser reads as a flat list of assignments.
type Fields struct {
	Path string // the endpoint, for the error
	ID   string // the record: its symbol or instrument id
	Err  error  // the first failure
}

// Float reads a decimal; "" is zero.
func (f *Fields) Float(name string, n Number) float64 {
	v, err := ParseFloat(string(n))
	if err != nil {
		f.fail(fmt.Sprintf("%s %s is not a number: %q", f.ID, name, n))
	}
	return v
}

// Millis reads epoch milliseconds; "" and 0 are the zero time.
func (f *Fields) Millis(name string, n Number) time.Time {
	t, err := ParseMillis(string(n))
	if err != nil {
		f.fail(fmt.Sprintf("%s %s is not a millisecond timestamp: %q", f.ID, name, n))
	}
	return t
}

func (f *Fields) fail(msg string) {
	if f.Err == nil {
		f.Err = &Error{Kind: ErrMalformed, Path: f.Path, Msg: msg}
	}
}
