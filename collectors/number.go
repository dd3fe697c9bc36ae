package collectors

import (
	"bytes"
	"strings"

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
