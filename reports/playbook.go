package reports

import (
	"fmt"
	"math"
	"path"
	"sort"
	"strings"
	"text/template"
	"text/template/parse"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/diff"
)

// Playbook maps rival changes to suggested countermeasures. It is
// configuration (configs/playbook.yaml), so adding a rule for a new change
// type needs no code: the change's Evidence numbers become rule inputs.
type Playbook struct {
	Rules []Rule `yaml:"rules"`
}

// Rule is a change type plus conditions, and a suggestion computed against
// the house profile when the rule fires.
type Rule struct {
	Name string `yaml:"name"`
	// Type is a change type ("listing.new") or a glob ("funding.*").
	Type string     `yaml:"type"`
	When Conditions `yaml:"when"`
	// Suggest is a text/template over the rule's inputs (see inputs.go);
	// numbers are formatted with usd, bps, pct, pctyr, hours and num, and
	// computed with add, sub, mul and div so the arithmetic stays visible.
	Suggest string `yaml:"suggest"`
}

// Conditions must all hold for a rule to fire. A Min or Max on an input the
// change does not have never holds: no number, no suggestion.
type Conditions struct {
	// HouseLists, when set, requires that we do (true) or do not (false)
	// list the change's unified symbol.
	HouseLists *bool              `yaml:"house_lists"`
	Min        map[string]float64 `yaml:"min"`
	Max        map[string]float64 `yaml:"max"`
	// Exchanges limits the rule to these rivals; a divergence fires when
	// either side is listed.
	Exchanges []string `yaml:"exchanges"`
}

// Suggestion is one rule that fired on one change.
type Suggestion struct {
	Rule     string `json:"rule"`
	ChangeID string `json:"change_id"`
	Type     string `json:"type"`
	Exchange string `json:"exchange"`
	Symbol   string `json:"symbol"`
	Severity string `json:"severity"`
	Text     string `json:"text"`
	// Inputs are the inputs the rule reads, so a reader can redo the
	// arithmetic.
	Inputs []Param `json:"inputs"`
	Error  string  `json:"error,omitempty"`
}

// unsized reports a suggestion whose every number is missing: its
// arithmetic would read "n/a" throughout, which helps nobody.
func (s Suggestion) unsized() bool {
	numbers, missing := 0, 0
	for _, p := range s.Inputs {
		if p.Value == na {
			missing++
		}
		if p.Number != nil || p.Value == na {
			numbers++
		}
	}
	return numbers > 0 && missing == numbers
}

// Param is one named rule input, formatted with its unit.
type Param struct {
	Name   string   `json:"name"`
	Label  string   `json:"label"` // the name in words, for people
	Value  string   `json:"value"`
	Number *float64 `json:"number,omitempty"`
}

// templateFuncs are the functions a suggestion template may call. Every one
// accepts a missing input (nil) and passes it on, printing "n/a".
var templateFuncs = template.FuncMap{
	"usd":   formatUSD,
	"bps":   formatBps,
	"pct":   formatPct,
	"pctyr": formatPctYr,
	"hours": formatHours,
	"num":   formatNum,
	"add":   func(a any, rest ...any) any { return fold(a, rest, func(x, y float64) float64 { return x + y }) },
	"mul":   func(a any, rest ...any) any { return fold(a, rest, func(x, y float64) float64 { return x * y }) },
	"sub":   func(a, b any) any { return fold(a, []any{b}, func(x, y float64) float64 { return x - y }) },
	"div": func(a, b any) any {
		if y, ok := toFloat(b); !ok || y == 0 {
			return nil
		}
		return fold(a, []any{b}, func(x, y float64) float64 { return x / y })
	},
	"abs": func(a any) any {
		x, ok := toFloat(a)
		if !ok {
			return nil
		}
		return math.Abs(x)
	},
}

func fold(a any, rest []any, op func(x, y float64) float64) any {
	acc, ok := toFloat(a)
	if !ok {
		return nil
	}
	for _, r := range rest {
		y, ok := toFloat(r)
		if !ok {
			return nil
		}
		acc = op(acc, y)
	}
	return acc
}

// compiledRule is a rule with its parsed template and the inputs it reads.
type compiledRule struct {
	Rule
	tmpl  *template.Template
	reads []string // template fields, then min/max names, sorted, unique
}

// compile parses every rule; problems are reported per rule and the rule is
// left out.
func (p Playbook) compile() ([]compiledRule, []error) {
	var out []compiledRule
	var errs []error
	for i, r := range p.Rules {
		at := fmt.Sprintf("rules[%d] (%s)", i, r.Name)
		var rerrs []error
		if strings.TrimSpace(r.Name) == "" {
			rerrs = append(rerrs, fmt.Errorf("%s: name is empty", at))
		}
		if strings.TrimSpace(r.Type) == "" {
			rerrs = append(rerrs, fmt.Errorf("%s: type is empty (a change type such as listing.new, or a glob such as funding.*)", at))
		} else if _, err := path.Match(r.Type, ""); err != nil {
			rerrs = append(rerrs, fmt.Errorf("%s: type %q is not a valid glob: %w", at, r.Type, err))
		}
		if strings.TrimSpace(r.Suggest) == "" {
			rerrs = append(rerrs, fmt.Errorf("%s: suggest is empty", at))
		}
		t, err := template.New(r.Name).Funcs(templateFuncs).Parse(r.Suggest)
		if err != nil {
			rerrs = append(rerrs, fmt.Errorf("%s: suggest: %w", at, err))
		}
		for j, ex := range r.When.Exchanges {
			if strings.TrimSpace(ex) == "" {
				rerrs = append(rerrs, fmt.Errorf("%s: when.exchanges[%d] is empty", at, j))
			}
		}
		known, strict := knownInputs(r.Type)
		check := func(where, name string, numeric bool) {
			kind, ok := known[name]
			if !ok && strings.HasPrefix(name, "annualized_") {
				kind, ok = known["annualized_*"]
			}
			switch {
			case !ok && strict:
				rerrs = append(rerrs, fmt.Errorf("%s: %s: unknown input %q for type %s", at, where, name, r.Type))
			case !ok && !validInputName(name):
				rerrs = append(rerrs, fmt.Errorf("%s: %s: %q is not an input name (lower_snake_case)", at, where, name))
			case ok && numeric && kind != inputNumber:
				rerrs = append(rerrs, fmt.Errorf("%s: %s: input %q is not a number", at, where, name))
			}
		}
		var reads []string
		for _, cond := range []struct {
			where string
			m     map[string]float64
		}{{"when.min", r.When.Min}, {"when.max", r.When.Max}} {
			for _, name := range sortedKeys(cond.m) {
				check(cond.where, name, true)
				reads = append(reads, name)
			}
		}
		for _, name := range sortedKeys(r.When.Min) {
			if hi, ok := r.When.Max[name]; ok && hi < r.When.Min[name] {
				rerrs = append(rerrs, fmt.Errorf("%s: when: min %s %g is above max %g, so the rule never fires", at, name, r.When.Min[name], hi))
			}
		}
		if t != nil {
			for _, name := range templateFields(t) {
				check("suggest", name, false)
				reads = append(reads, name)
			}
		}
		if len(rerrs) > 0 {
			errs = append(errs, rerrs...)
			continue
		}
		out = append(out, compiledRule{Rule: r, tmpl: t, reads: uniqueSorted(reads)})
	}
	return out, errs
}

// Validate returns every problem in the playbook, each naming the rule (by
// index and name) and the field: empty type or name, a bad glob or template,
// an input name a rule of that type never has.
func (p Playbook) Validate() []error {
	_, errs := p.compile()
	return errs
}

func validInputName(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// matches reports whether the rule's type covers t.
func (r Rule) matches(t diff.Type) bool {
	ok, err := path.Match(r.Type, string(t))
	return err == nil && ok
}

// fires reports whether the conditions hold for a change's inputs.
func (c Conditions) fires(exchanges []string, in inputs) bool {
	if c.HouseLists != nil {
		lists, _ := in["house_lists"].(bool)
		if lists != *c.HouseLists {
			return false
		}
	}
	for name, lo := range c.Min {
		v, ok := toFloat(in[name])
		if !ok || v < lo {
			return false
		}
	}
	for name, hi := range c.Max {
		v, ok := toFloat(in[name])
		if !ok || v > hi {
			return false
		}
	}
	if len(c.Exchanges) == 0 {
		return true
	}
	for _, want := range c.Exchanges {
		for _, ex := range exchanges {
			if strings.EqualFold(strings.TrimSpace(want), ex) {
				return true
			}
		}
	}
	return false
}

// apply renders the rule for one change.
func (r compiledRule) apply(c diff.Change, in inputs) Suggestion {
	s := Suggestion{
		Rule: r.Name, ChangeID: c.ID, Type: string(c.Type), Exchange: c.ExchangeLabel(),
		Symbol: c.Symbol, Severity: string(c.Severity),
	}
	for _, name := range r.reads {
		if identityInputs[name] {
			continue
		}
		p := Param{Name: name, Label: inputLabel(name), Value: formatInput(name, in[name])}
		if in[name] == nil {
			p.Value = na
		}
		if f, ok := toFloat(in[name]); ok {
			p.Number = &f
		}
		s.Inputs = append(s.Inputs, p)
	}
	var b strings.Builder
	if err := r.tmpl.Execute(&b, map[string]any(in)); err != nil {
		s.Error = fmt.Sprintf("rule %s: %v", r.Name, err)
	}
	// A missing input printed without a formatter shows as <no value>.
	text := strings.ReplaceAll(b.String(), "<no value>", na)
	s.Text = strings.Join(strings.Fields(text), " ")
	return s
}

// identityInputs name the change itself; the digest shows them beside
// every suggestion already, so they are left out of its input list.
var identityInputs = map[string]bool{
	"exchange": true, "symbol": true, "unified": true, "coin": true, "type": true, "field": true,
	"severity": true, "old_text": true, "new_text": true, "detected_at": true, "house_name": true,
}

// templateFields lists the top-level input names a template reads
// (.name and $.name), so Validate can catch typos that would otherwise
// print n/a for ever.
func templateFields(t *template.Template) []string {
	var names []string
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch x := n.(type) {
		case *parse.ListNode:
			if x == nil {
				return
			}
			for _, c := range x.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(x.Pipe)
		case *parse.PipeNode:
			if x == nil {
				return
			}
			for _, c := range x.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			for _, a := range x.Args {
				walk(a)
			}
		case *parse.FieldNode:
			names = append(names, x.Ident[0])
		case *parse.VariableNode:
			if len(x.Ident) > 1 && x.Ident[0] == "$" {
				names = append(names, x.Ident[1])
			}
		case *parse.ChainNode:
			walk(x.Node)
		case *parse.IfNode:
			walk(x.Pipe)
			walk(x.List)
			walk(x.ElseList)
		case *parse.RangeNode:
			walk(x.Pipe)
			walk(x.List)
			walk(x.ElseList)
		case *parse.WithNode:
			walk(x.Pipe)
			walk(x.List)
			walk(x.ElseList)
		case *parse.TemplateNode:
			walk(x.Pipe)
		}
	}
	for _, tt := range t.Templates() {
		if tt.Tree != nil {
			walk(tt.Tree.Root)
		}
	}
	return uniqueSorted(names)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func uniqueSorted(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// unifiedOf finds a change's unified symbol: its own field, the symbol when
// that is already unified (divergence), else the market picture.
func unifiedOf(c diff.Change, m *picture) string {
	if c.Unified != "" {
		return c.Unified
	}
	if strings.Contains(c.Symbol, "/") {
		return c.Symbol
	}
	for _, ex := range c.ExchangeList() {
		if s, ok := m.stat[ex+"\x00"+c.Symbol]; ok && s.Unified != "" {
			return s.Unified
		}
		if f, ok := m.funding[ex+"\x00"+c.Symbol]; ok && f.Unified != "" {
			return f.Unified
		}
	}
	if c.Kind == collectors.KindAnnouncements {
		// An announced symbol need not trade yet: name its USDT perpetual.
		if coin := diff.AnnouncedCoin(c.Symbol); coin != "" {
			return coin + "/USDT:USDT"
		}
	}
	return ""
}

// picture indexes the latest market and funding of every exchange.
type picture struct {
	stat      map[string]collectors.MarketStat // exchange NUL symbol
	statU     map[string]collectors.MarketStat // exchange NUL unified
	funding   map[string]collectors.Funding    // exchange NUL symbol
	byUnified map[string][]collectors.MarketStat
}

func newPicture(market []collectors.MarketStat, funding []collectors.Funding) *picture {
	p := &picture{
		stat:      map[string]collectors.MarketStat{},
		statU:     map[string]collectors.MarketStat{},
		funding:   map[string]collectors.Funding{},
		byUnified: map[string][]collectors.MarketStat{},
	}
	for _, s := range market {
		p.stat[s.Exchange+"\x00"+s.Symbol] = s
		if s.Unified != "" {
			if _, dup := p.statU[s.Exchange+"\x00"+s.Unified]; !dup {
				p.statU[s.Exchange+"\x00"+s.Unified] = s
				p.byUnified[s.Unified] = append(p.byUnified[s.Unified], s)
			}
		}
	}
	for _, f := range funding {
		p.funding[f.Exchange+"\x00"+f.Symbol] = f
	}
	return p
}

// statFor finds the market stat of a change on one exchange.
func (p *picture) statFor(exchange, symbol, unified string) (collectors.MarketStat, bool) {
	if s, ok := p.stat[exchange+"\x00"+symbol]; ok {
		return s, true
	}
	s, ok := p.statU[exchange+"\x00"+unified]
	return s, ok
}
