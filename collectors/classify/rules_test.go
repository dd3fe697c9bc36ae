package classify

import (
	"strings"
	"testing"
)

// TestParseRulesErrors checks that every mistake in a rules file is
// reported at once, naming the rule and the line.
func TestParseRulesErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown key", "rules:\n  - name: a\n    category: listing\n    tittle:\n      any: [x]\n",
			[]string{`r.yaml line 4: rule "a": unknown key "tittle" (known: name, category, exchanges, title, body, text)`}},
		{"bad regex", "rules:\n  - name: a\n    category: listing\n    title:\n      any:\n        - 'ok'\n        - '(unclosed'\n",
			[]string{`r.yaml line 7: rule "a": title.any: pattern "(unclosed" does not compile: missing closing )`}},
		{"unknown category and exchange", "rules:\n  - name: a\n    category: listings\n    exchanges: [kraken]\n    title: {any: [x]}\n",
			[]string{`line 3: rule "a": unknown category "listings"`, `line 4: rule "a": unknown exchange "kraken"`}},
		{"no condition", "rules:\n  - name: a\n    category: listing\n",
			[]string{`line 2: rule "a": a rule needs at least one condition`}},
		{"duplicate name", "rules:\n  - {name: a, category: listing, title: {any: [x]}}\n  - {name: a, category: earn, title: {any: [y]}}\n",
			[]string{`line 3: rule "a": the name is already used on line 2`}},
		{"unknown condition key", "rules:\n  - name: a\n    category: listing\n    body:\n      some: [x]\n",
			[]string{`line 5: rule "a": body: unknown key "some" (known: any, all, none)`}},
		{"no rules", "rule: []\n", []string{`line 1: the file: unknown key "rule"`}},
		{"every error at once", "rules:\n  - {name: a, category: nope, title: {any: [x]}}\n  - {name: b, category: listing, title: {any: ['[']}}\n",
			[]string{`line 2: rule "a": unknown category`, `line 3: rule "b": title.any: pattern "["`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRules("r.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestRulesOrder checks first match wins, any/all/none, the exchange
// filter and the fall-through to Other.
func TestRulesOrder(t *testing.T) {
	const file = `
rules:
  - name: bybit only
    category: earn
    exchanges: [bybit]
    title: {any: ['\bvault\b']}
  - name: delist first
    category: delisting
    title: {any: [delist]}
  - name: perp
    category: perp_launch
    title: {any: ['perpetual contract'], none: [competition]}
  - name: table
    category: perp_launch
    body: {all: ['launch time', 'maximum leverage']}
`
	r, err := ParseRules("t.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in       Input
		category string
		rule     string
	}{
		{Input{Exchange: "binance", Title: "Binance Will Delist XUSDT Perpetual Contract"}, Delisting, "delist first"},
		{Input{Exchange: "binance", Title: "Binance Will Launch XUSDT PERPETUAL CONTRACT"}, PerpLaunch, "perp"},
		{Input{Exchange: "binance", Title: "XUSDT Perpetual Contract Competition"}, Other, ""},
		{Input{Exchange: "binance", Title: "Notice", Body: "Launch Time2026-01-08Maximum Leverage50x"}, PerpLaunch, "table"},
		{Input{Exchange: "binance", Title: "Notice", Body: "Launch Time2026-01-08"}, Other, ""},
		{Input{Exchange: "Bybit", Title: "New USDT Vault"}, Earn, "bybit only"},
		{Input{Exchange: "okx", Title: "New USDT Vault"}, Other, ""},
	}
	for _, tt := range tests {
		got := r.Classify(tt.in)
		if got.Category != tt.category || got.Rule != tt.rule {
			t.Errorf("%q: got %s (rule %q), want %s (rule %q)", tt.in.Title, got.Category, got.Rule, tt.category, tt.rule)
		}
	}
}

// TestDefaultRulesFile checks the built-in file compiles and names every
// category but Other, so none is unreachable.
func TestDefaultRulesFile(t *testing.T) {
	r := defaultRules(t)
	seen := map[string]bool{}
	for _, ru := range r.rules {
		seen[ru.category] = true
	}
	for _, c := range Categories {
		if c != Other && !seen[c] {
			t.Errorf("no rule gives %s", c)
		}
	}
}
