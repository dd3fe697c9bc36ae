package fees

import "testing"

func TestParseRate(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"0.0200%", 0.0002, true},
		{"0.02 %", 0.0002, true},
		{" 0.055% ", 0.00055, true},
		{"-0.005%", -0.00005, true},
		{"−0.005%", -0.00005, true}, // typeset minus
		{"+0.01%", 0.0001, true},
		{"0%", 0, true},
		{"0.02", 0, false},
		{"%", 0, false},
		{"", 0, false},
		{"0.0l45%", 0, false},
		{"1e-2%", 0, false},
		{"0.02% / 0.05%", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseRate(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestParseUSD(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"≥ 15,000,000 USD", 15e6, true},
		{">= 1.5B USDT", 1.5e9, true},
		{"$250M", 250e6, true},
		{"25,000,000", 25e6, true},
		{"≥ 100K", 1e5, true},
		{"< 15M", 0, true}, // the first tier's ceiling: no threshold
		{"-", 0, true},
		{"/", 0, true},
		{"—", 0, true},
		{"", 0, true},
		{"500 OKB", 0, false},
		{"< 500 OKB", 0, false},
		{"lots", 0, false},
		{"15MM", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseUSD(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseUSD(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
