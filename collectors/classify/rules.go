package classify

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// Rules decide an announcement's category: tried in file order, the first
// rule whose conditions all hold wins, and an announcement no rule matches
// is Other. Safe for concurrent use.
type Rules struct {
	rules []rule
}

type rule struct {
	name, category string
	exchanges      []string // empty: every exchange
	title, body    cond
	either         cond // on title and body together
}

// cond holds on a text when any pattern of any matches (or any is empty),
// every pattern of all matches, and no pattern of none does. The patterns
// of any and of none are each joined into one alternation, so a text is
// scanned once per list rather than once per pattern.
type cond struct {
	any, none *pattern // nil: no patterns
	all       []*pattern
}

func (c cond) empty() bool { return c.any == nil && c.none == nil && len(c.all) == 0 }

func (c cond) holds(s string) bool {
	if c.none != nil && c.none.match(s) {
		return false
	}
	for _, p := range c.all {
		if !p.match(s) {
			return false
		}
	}
	return c.any == nil || c.any.match(s)
}

// pattern is a compiled expression with the literals one of which every
// match contains: a text holding none of them is passed over without
// running the expression, which matters on long bodies.
type pattern struct {
	re    *regexp.Regexp
	needs []string // nil: no literal is known to be needed
}

func (p *pattern) match(s string) bool {
	if p.needs != nil && !slices.ContainsFunc(p.needs, func(lit string) bool { return strings.Contains(s, lit) }) {
		return false
	}
	return p.re.MatchString(s)
}

// needs lists literals of which every match of re contains one; nil when
// that cannot be told.
func needs(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase == 0 {
			return []string{string(re.Rune)}
		}
	case syntax.OpCapture, syntax.OpPlus:
		return needs(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min > 0 {
			return needs(re.Sub[0])
		}
	case syntax.OpConcat:
		// The child whose shortest needed literal is longest filters best.
		var best []string
		bestLen := 0
		for _, sub := range re.Sub {
			n := needs(sub)
			if n == nil {
				continue
			}
			shortest := len(n[0])
			for _, l := range n {
				shortest = min(shortest, len(l))
			}
			if shortest > bestLen {
				best, bestLen = n, shortest
			}
		}
		return best
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			n := needs(sub)
			if n == nil {
				return nil
			}
			all = append(all, n...)
		}
		return all
	}
	return nil
}

// join makes one pattern that matches where any of trees does.
func join(trees []*syntax.Regexp) *pattern {
	if len(trees) == 0 {
		return nil
	}
	alt := &syntax.Regexp{Op: syntax.OpAlternate, Sub: trees}
	if len(trees) == 1 {
		alt = trees[0]
	}
	return &pattern{re: regexp.MustCompile(alt.String()), needs: needs(alt)}
}

func (r *Rules) match(exchange string, t text) *rule {
	for i := range r.rules {
		ru := &r.rules[i]
		if len(ru.exchanges) > 0 && !slices.Contains(ru.exchanges, strings.ToLower(exchange)) {
			continue
		}
		if ru.title.holds(t.title) && ru.body.holds(t.body) && ru.either.holds(t.all) {
			return ru
		}
	}
	return nil
}

// ParseRules compiles a rules file; name is the file name errors begin with.
// The decode is strict: an unknown key, an unknown category or exchange, a
// rule without conditions and a pattern that does not compile are errors
// naming the rule and its line, all reported at once. Patterns match case
// insensitively.
func ParseRules(name string, data []byte) (*Rules, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p := parser{file: name}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("%s: no rules", name)
	}
	var list *yaml.Node
	p.mapping(root.Content[0], "the file", []string{"rules"}, func(key string, v *yaml.Node) {
		list = v
	})
	switch {
	case list == nil && len(p.errs) == 0:
		p.errorf(root.Content[0], "no rules: the file needs a top-level \"rules:\" list")
	case list != nil && list.Kind != yaml.SequenceNode:
		p.errorf(list, "\"rules\" must be a list")
	case list != nil:
		seen := map[string]int{}
		for _, n := range list.Content {
			ru, ok := p.rule(n)
			if !ok {
				continue
			}
			if line, dup := seen[ru.name]; dup {
				p.errorf(n, "rule %q: the name is already used on line %d", ru.name, line)
			}
			seen[ru.name] = n.Line
			p.rules = append(p.rules, ru)
		}
	}
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return &Rules{rules: p.rules}, nil
}

// parser collects every problem of a rules file.
type parser struct {
	file  string
	errs  []error
	rules []rule
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("%s line %d: %s", p.file, n.Line, fmt.Sprintf(format, args...)))
}

// mapping walks a YAML mapping, reporting keys outside known.
func (p *parser) mapping(n *yaml.Node, what string, known []string, each func(key string, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s must be a mapping of keys (%s)", what, strings.Join(known, ", "))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !slices.Contains(known, k.Value) {
			p.errorf(k, "%s: unknown key %q (known: %s)", what, k.Value, strings.Join(known, ", "))
			continue
		}
		each(k.Value, v)
	}
}

var ruleKeys = []string{"name", "category", "exchanges", "title", "body", "text"}

func (p *parser) rule(n *yaml.Node) (rule, bool) {
	var ru rule
	before := len(p.errs)
	what := fmt.Sprintf("rule on line %d", n.Line)
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "name" {
				ru.name = n.Content[i+1].Value
				what = fmt.Sprintf("rule %q", ru.name)
			}
		}
	}
	p.mapping(n, what, ruleKeys, func(key string, v *yaml.Node) {
		switch key {
		case "name":
			if v.Kind != yaml.ScalarNode || v.Value == "" {
				p.errorf(v, "%s: name must be a non-empty text", what)
			}
		case "category":
			ru.category = v.Value
			if v.Kind != yaml.ScalarNode || !slices.Contains(Categories, v.Value) {
				p.errorf(v, "%s: unknown category %q (known: %s)", what, v.Value, strings.Join(Categories, ", "))
			}
		case "exchanges":
			for _, e := range p.strings(v, what+": exchanges") {
				if !slices.Contains([]string{"binance", "bybit", "okx"}, e) {
					p.errorf(v, "%s: unknown exchange %q (known: binance, bybit, okx)", what, e)
				}
				ru.exchanges = append(ru.exchanges, e)
			}
		case "title":
			ru.title = p.cond(v, what+": title")
		case "body":
			ru.body = p.cond(v, what+": body")
		case "text":
			ru.either = p.cond(v, what+": text")
		}
	})
	if len(p.errs) > before {
		return rule{}, false
	}
	switch {
	case ru.name == "":
		p.errorf(n, "%s: a rule needs a name", what)
	case ru.category == "":
		p.errorf(n, "%s: a rule needs a category", what)
	case ru.title.empty() && ru.body.empty() && ru.either.empty():
		p.errorf(n, "%s: a rule needs at least one condition on title, body or text", what)
	}
	return ru, len(p.errs) == before
}

func (p *parser) cond(n *yaml.Node, what string) cond {
	var c cond
	p.mapping(n, what, []string{"any", "all", "none"}, func(key string, v *yaml.Node) {
		var trees []*syntax.Regexp
		for i, s := range p.strings(v, what+"."+key) {
			tree, err := compileFolded(s)
			if err != nil {
				line := v
				if v.Kind == yaml.SequenceNode {
					line = v.Content[i]
				}
				msg := err.Error()
				var se *syntax.Error
				if errors.As(err, &se) {
					msg = se.Code.String()
				}
				p.errorf(line, "%s.%s: pattern %q does not compile: %s", what, key, s, msg)
				continue
			}
			trees = append(trees, tree)
		}
		switch key {
		case "any":
			c.any = join(trees)
		case "all":
			for _, t := range trees {
				c.all = append(c.all, join([]*syntax.Regexp{t}))
			}
		case "none":
			c.none = join(trees)
		}
	})
	return c
}

// strings reads a list of texts; a single text is a list of one.
func (p *parser) strings(n *yaml.Node, what string) []string {
	switch n.Kind {
	case yaml.ScalarNode:
		return []string{n.Value}
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				p.errorf(c, "%s: each entry must be a text", what)
				continue
			}
			out = append(out, c.Value)
		}
		return out
	}
	p.errorf(n, "%s must be a text or a list of texts", what)
	return nil
}

// compileFolded parses a case-insensitive pattern for lower-cased text:
// its literals are lower-cased instead of folded at every step, which
// makes matching several times faster than (?i) and lets needs find them.
func compileFolded(pattern string) (*syntax.Regexp, error) {
	if _, err := regexp.Compile(pattern); err != nil {
		return nil, err
	}
	tree, err := syntax.Parse(pattern, syntax.Perl|syntax.FoldCase)
	if err != nil {
		return nil, err
	}
	lowerLiterals(tree)
	return tree, nil
}

func lowerLiterals(re *syntax.Regexp) {
	if re.Op == syntax.OpLiteral && re.Flags&syntax.FoldCase != 0 {
		for i, r := range re.Rune {
			re.Rune[i] = unicode.ToLower(r)
		}
		re.Flags &^= syntax.FoldCase
	}
	for _, sub := range re.Sub {
		lowerLiterals(sub)
	}
}
