package configs

import "testing"

func TestScheduleSpec(t *testing.T) {
	s := Default().Schedule
	s.Exchanges = map[string]Jobs{"okx": {Funding: "@every 10m"}, "bybit": {Yield: Off}}
	tests := []struct{ exchange, job, want string }{
		{"okx", "funding", "@every 10m"},    // the override
		{"okx", "market", "@every 5m"},      // not overridden: the global spec
		{"binance", "funding", "@every 5m"}, // no overrides at all
		{"bybit", "yield", Off},
		{"okx", "digest", "0 8 * * *"}, // global jobs ignore the exchange
		{"", "retention", "30 3 * * *"},
		{"okx", "prices", ""}, // unknown job
	}
	for _, tt := range tests {
		if got := s.Spec(tt.exchange, tt.job); got != tt.want {
			t.Errorf("Spec(%q, %q) = %q, want %q", tt.exchange, tt.job, got, tt.want)
		}
	}
}

// Every kind a sweep can pull has a schedule, so the daemon never meets a
// kind without one.
func TestEveryKindHasASchedule(t *testing.T) {
	s := Default().Schedule
	for _, k := range kindNames {
		if s.Spec("binance", k) == "" {
			t.Errorf("no default schedule for %s", k)
		}
	}
	if _, err := s.Location(); err != nil {
		t.Error(err)
	}
}
