package collectors

import (
	"testing"

	json "github.com/goccy/go-json"
)

func TestNumber(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{`"0.10"`, "0.10"},
		{`" 480 "`, "480"},
		{`1.5e-3`, "1.5e-3"},
		{`-7`, "-7"},
		{`null`, ""},
		{`""`, ""},
		{`"\u0031\u0032"`, "12"}, // escaped: decoded, not taken as it stands
		{`{"a":1}`, `{"a":1}`},   // kept, to fail where the field is known
		{`true`, "true"},
	} {
		var v struct{ N Number }
		if err := json.Unmarshal([]byte(`{"N":`+tc.in+`}`), &v); err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if string(v.N) != tc.want {
			t.Errorf("%s: got %q, want %q", tc.in, v.N, tc.want)
		}
	}
}
