package configs

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// document is one file being read: where each key sits, which keys already
// failed to decode, and the problems found so far. Validation looks keys up
// here, so a bad value found after decoding still points at its line.
type document struct {
	name     string
	lines    map[string]int  // key path (http.timeout, alerts.webhooks[0].url) → line
	bad      map[string]bool // key paths whose value was dropped as unreadable
	problems []error
}

func newDocument(name string) *document {
	return &document{name: name, lines: map[string]int{}, bad: map[string]bool{}}
}

// problem is one thing wrong with a file, with where it is.
type problem struct {
	file string
	line int    // 0 when not known
	key  string // empty when the message names it
	msg  string
}

func (p *problem) Error() string {
	var b strings.Builder
	b.WriteString(p.file + ": ")
	if p.line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.line)
	}
	if p.key != "" {
		b.WriteString(p.key + ": ")
	}
	b.WriteString(p.msg)
	return b.String()
}

// add records a problem the walk found at a known line.
func (d *document) add(line int, key, format string, args ...any) {
	d.problems = append(d.problems, &problem{file: d.name, line: line, key: key, msg: fmt.Sprintf(format, args...)})
}

// at returns a problem with the value of key, at the line of the key or of
// its nearest parent in the file. It returns nil when the key's value was
// already reported as unreadable, so one mistake is one message.
func (d *document) at(key, format string, args ...any) error {
	if d.dropped(key) {
		return nil
	}
	return &problem{file: d.name, line: d.lineOf(key), key: key, msg: fmt.Sprintf(format, args...)}
}

// has reports whether the file sets key.
func (d *document) has(key string) bool {
	_, ok := d.lines[key]
	return ok
}

func (d *document) lineOf(key string) int {
	for k := key; k != ""; k = parentKey(k) {
		if l, ok := d.lines[k]; ok {
			return l
		}
	}
	return 0
}

func (d *document) dropped(key string) bool {
	for b := range d.bad {
		if key == b || strings.HasPrefix(key, b+".") || strings.HasPrefix(key, b+"[") {
			return true
		}
	}
	return false
}

// parentKey strips the last part: a.b[2] → a.b, a.b → a.
func parentKey(key string) string {
	if i := strings.LastIndexAny(key, ".["); i >= 0 {
		return key[:i]
	}
	return ""
}

// reportedKey finds the key a message from another package is about, from
// how such messages start: "tiers[0] (VIP0): maker 0.5 is outside ±0.01"
// is about tiers[0].maker, `volume_30d_usd: "X" is not in symbols` about
// volume_30d_usd.X. It returns the most precise key the file has.
var reportedKey = regexp.MustCompile(`^(\w+(?:\[\d+\])?)(?: \([^)]*\))?(?::? (?:"([^"]+)"|(\w+)))?`)

// adopt turns errors from another package's validation into problems at the
// right line. prefix is where that package's object sits in this file.
func (d *document) adopt(prefix string, errs []error) error {
	out := make([]error, 0, len(errs))
	for _, e := range errs {
		msg := e.Error()
		key := prefix
		if m := reportedKey.FindStringSubmatch(msg); m != nil {
			base := join(prefix, m[1])
			key = base
			for _, sub := range []string{m[2], m[3]} {
				if sub != "" && d.has(base+"."+sub) {
					key = base + "." + sub
				}
			}
		}
		if d.dropped(key) {
			continue // already reported as unreadable
		}
		p := &problem{file: d.name, line: d.lineOf(key), key: prefix, msg: msg}
		if !d.has(key) && prefix != "" {
			p.msg += fmt.Sprintf(" (%s is not in this file, so its default applies; set it here too)", key)
		}
		out = append(out, p)
	}
	return errors.Join(out...)
}

// err returns every problem, in the order of the file's lines.
func (d *document) err(more ...error) error {
	all := slices.Clone(d.problems)
	for _, e := range more {
		all = append(all, flatten(e)...)
	}
	slices.SortStableFunc(all, func(a, b error) int { return cmp.Compare(lineOfProblem(a), lineOfProblem(b)) })
	return errors.Join(all...)
}

func lineOfProblem(err error) int {
	var p *problem
	if errors.As(err, &p) {
		return p.line
	}
	return 0
}

// flatten undoes errors.Join, so problems from every section sort together.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	var out []error
	for _, e := range j.Unwrap() {
		out = append(out, flatten(e)...)
	}
	return out
}
