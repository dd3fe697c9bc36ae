package webhook

import (
	"strings"
	"testing"

	"github.com/rivalwatch/rivalwatch/diff"
)

func TestMatches(t *testing.T) {
	fee := diff.Change{Type: "fee.tier", Severity: diff.Medium}
	for _, tc := range []struct {
		name string
		hook Hook
		c    diff.Change
		want bool
	}{
		{"default types take fee changes", Hook{}, fee, true},
		{"default types take fee announcements", Hook{}, diff.Change{Type: "fee.announced", Severity: diff.Low}, true},
		{"default types skip listings", Hook{}, diff.Change{Type: diff.ListingNew, Severity: diff.High}, false},
		{"a glob", Hook{Types: []string{"listing.*"}}, diff.Change{Type: diff.ListingNew}, true},
		{"a glob does not cross the dot", Hook{Types: []string{"listing"}}, diff.Change{Type: diff.ListingNew}, false},
		{"several globs", Hook{Types: []string{"funding.*", "fee.*"}}, fee, true},
		{"an empty list matches nothing", Hook{Types: []string{}}, fee, false},
		{"every severity by default", Hook{}, diff.Change{Type: "fee.tier", Severity: diff.Low}, true},
		{"min severity met", Hook{MinSeverity: diff.Medium}, fee, true},
		{"min severity not met", Hook{MinSeverity: diff.High}, fee, false},
		{"a bad glob matches nothing", Hook{Types: []string{"fee.["}}, fee, false},
	} {
		if got := tc.hook.Matches(tc.c); got != tc.want {
			t.Errorf("%s: Matches = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	good := Hook{Name: "ops", URL: "https://hooks.example.com/x", Format: Slack, Types: []string{"fee.*"}, MinSeverity: diff.High}
	if err := good.Validate(); err != nil {
		t.Errorf("good hook: %v", err)
	}
	bad := Hook{URL: "hooks.example.com/T0KEN", Format: "teams", Types: []string{"fee.["}, MinSeverity: "urgent"}
	err := bad.Validate()
	if err == nil {
		t.Fatal("bad hook passed")
	}
	for _, want := range []string{"name: missing", "url: want an absolute", `format: unknown "teams"`,
		`types: bad pattern "fee.["`, `min_severity: unknown "urgent"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "T0KEN") {
		t.Errorf("error repeats the URL: %v", err)
	}
}
