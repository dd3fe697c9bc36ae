package reports

import (
	"testing"
	"time"
)

func TestFormatters(t *testing.T) {
	tests := []struct {
		name string
		f    func(any) string
		in   any
		want string
	}{
		{"usd small", formatUSD, 950.0, "$950"},
		{"usd cents", formatUSD, 2.5, "$2.50"},
		{"usd K", formatUSD, 12345.0, "$12.3K"},
		{"usd K round", formatUSD, 1230.96, "$1.23K"},
		{"usd M", formatUSD, 1.5e6, "$1.5M"},
		{"usd rounds up a unit", formatUSD, 999_999.0, "$1M"},
		{"usd B", formatUSD, 2.1e9, "$2.1B"},
		{"usd negative", formatUSD, -4.2e3, "-$4.2K"},
		{"usd int", formatUSD, 25000, "$25K"},
		{"usd missing", formatUSD, nil, "n/a"},
		{"usd text", formatUSD, "abc", "n/a"},
		{"bps", formatBps, 0.00045, "4.5 bps"},
		{"bps negative", formatBps, -0.0025, "-25 bps"},
		{"pct", formatPct, 0.05, "5%"},
		{"pctyr", formatPctYr, 0.4493, "44.9%/yr"},
		{"hours", formatHours, 4.0, "4 h"},
		{"num", formatNum, 69.4444, "69.44"},
		{"num missing", formatNum, nil, "n/a"},
		{"num small fraction", formatNum, 0.000456, "0.000456"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFormatInputByName(t *testing.T) {
	tests := map[string]struct {
		v    any
		want string
	}{
		"rival_volume_24h_usd": {24e6, "$24M"},
		"usd_per_day_per_1m":   {15000.0, "$15K"},
		"house_taker_fee":      {0.0005, "5 bps"},
		"rate":                 {0.0001, "1 bps"},
		"annualized_okx":       {0.05, "5%/yr"},
		"new_interval_hours":   {4.0, "4 h"},
		"contribution_margin":  {0.6, "60%"},
		"volume_ratio":         {4.5, "4.5"},
		"house_lists":          {true, "yes"},
		"house_same_coin":      {"", "none"},
	}
	for name, tt := range tests {
		if got := formatInput(name, tt.v); got != tt.want {
			t.Errorf("%s: got %q, want %q", name, got, tt.want)
		}
	}
}

func TestFormatWhen(t *testing.T) {
	if got := formatWhen(day.Add(6*time.Hour+5*time.Minute), day); got != "06:05 UTC" {
		t.Errorf("same day: %q", got)
	}
	if got := formatWhen(day.Add(-time.Hour), day); got != "2025-03-13 23:00 UTC" {
		t.Errorf("day before: %q", got)
	}
}
