package configs

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// decode reads data into v, which already holds the defaults. Every key is
// checked against v's yaml tags and every value against its field's type
// before yaml.v3 sees it, node by node, so a problem names its own key even
// when several keys share a line. Bad keys and values are reported and
// pruned, so the rest of the file still decodes and every problem is
// reported at once. It returns false when the YAML itself does not parse.
func (d *document) decode(data []byte, v any) bool {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		d.syntaxError(err)
		return false
	}
	if len(root.Content) == 0 {
		return true // an empty file keeps the defaults
	}
	top := root.Content[0]
	if !d.walk(top, reflect.ValueOf(v).Elem(), "") {
		return true
	}
	if err := top.Decode(v); err != nil {
		// The walk leaves only values that decode; this is a safety net
		// that still says where.
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			d.syntaxError(err)
			return true
		}
		for _, msg := range te.Errors {
			line, _ := lineOfMessage(msg)
			d.add(line, "", "value cannot be read here")
		}
	}
	return true
}

var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// syntaxError records a YAML parse error, keeping the line yaml.v3 gives.
func (d *document) syntaxError(err error) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line, rest := lineOfMessage(msg)
	d.add(line, "", "%s", rest)
}

func lineOfMessage(msg string) (int, string) {
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return 0, msg
	}
	line, _ := strconv.Atoi(m[1])
	return line, m[2]
}

// walk checks node n against v and records the line of every key path.
// It returns false when n cannot go into v; the caller then drops n, so
// the default stays and the problem is reported once.
func (d *document) walk(n *yaml.Node, v reflect.Value, path string) bool {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return true // a key with no value keeps its default
	}
	t := v.Type()
	switch {
	case t == durationType || isScalar(t.Kind()):
		return d.scalar(n, v, path)
	case t.Kind() == reflect.Pointer:
		return d.walk(n, reflect.New(t.Elem()).Elem(), path)
	case t.Kind() == reflect.Interface:
		return true
	}
	if want := shapeOf(t); n.Kind != want {
		key := path
		if key == "" {
			key = "the file"
		}
		d.add(n.Line, key, "must be %s, got %s", describe(t), found(n))
		return false
	}
	switch t.Kind() {
	case reflect.Struct:
		fields := yamlFields(t)
		d.mapping(n, path, func(key string) (reflect.Value, bool) {
			idx, ok := fields[key]
			if !ok {
				return reflect.Value{}, false
			}
			return v.FieldByIndex(idx), true
		}, fields)
	case reflect.Map:
		if v.CanSet() {
			v.SetZero() // the file's map replaces the default, never merges into it
		}
		d.mapping(n, path, func(string) (reflect.Value, bool) {
			return reflect.New(t.Elem()).Elem(), true
		}, nil)
	case reflect.Slice:
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			d.lines[p] = c.Line
			if !d.walk(c, reflect.New(t.Elem()).Elem(), p) {
				d.bad[p] = true
				n.Content[i] = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: c.Line, Column: c.Column}
			}
		}
	}
	return true
}

// mapping walks the pairs of a mapping node; target returns where a key's
// value goes, or false for a key the section does not have. fields, when
// set, lists the known keys for the error.
func (d *document) mapping(n *yaml.Node, path string, target func(string) (reflect.Value, bool), fields map[string][]int) {
	seen := map[string]int{}
	kept := make([]*yaml.Node, 0, len(n.Content))
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		p := join(path, k.Value)
		if first, dup := seen[k.Value]; dup {
			d.add(k.Line, p, "set twice (first at line %d)", first)
			continue
		}
		seen[k.Value] = k.Line
		v, ok := target(k.Value)
		if !ok {
			d.add(k.Line, "", "unknown key %q%s", p, knownKeys(fields))
			continue
		}
		d.lines[p] = k.Line
		if !d.walk(val, v, p) {
			d.bad[p] = true
			continue
		}
		kept = append(kept, k, val)
	}
	n.Content = kept
}

var (
	durationType = reflect.TypeOf(time.Duration(0))
	// days lets a duration say 14d; Go's durations stop at hours.
	days = regexp.MustCompile(`^(\d+)d(.*)$`)
)

// scalar checks one value against its field's type by decoding it alone.
func (d *document) scalar(n *yaml.Node, v reflect.Value, path string) bool {
	t := v.Type()
	if n.Kind != yaml.ScalarNode {
		d.add(n.Line, path, "must be %s, got %s", describe(t), found(n))
		return false
	}
	if t == durationType {
		if m := days.FindStringSubmatch(n.Value); m != nil {
			if dur, ok := withDays(m[1], m[2]); ok {
				n.Value, n.Tag, n.Style = dur.String(), "!!str", 0
			}
		}
	}
	// yaml.v3 truncates 2.9 into an int field; a whole number must be one.
	if isInt(t.Kind()) && n.ShortTag() == "!!float" {
		if f, err := strconv.ParseFloat(n.Value, 64); err != nil || f != math.Trunc(f) {
			d.add(n.Line, path, "%q is not %s", n.Value, describe(t))
			return false
		}
	}
	if err := n.Decode(reflect.New(t).Interface()); err != nil {
		d.add(n.Line, path, "%q is not %s", n.Value, describe(t))
		return false
	}
	return true
}

func withDays(n, rest string) (time.Duration, bool) {
	count, err := strconv.Atoi(n)
	if err != nil || count > 100_000 {
		return 0, false
	}
	dur := time.Duration(count) * 24 * time.Hour
	if rest != "" {
		r, err := time.ParseDuration(rest)
		if err != nil || r < 0 {
			return 0, false
		}
		dur += r
	}
	return dur, true
}

func isScalar(k reflect.Kind) bool {
	return k == reflect.String || k == reflect.Bool || k == reflect.Float32 || k == reflect.Float64 || isInt(k)
}

func isInt(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

func shapeOf(t reflect.Type) yaml.Kind {
	if t.Kind() == reflect.Slice {
		return yaml.SequenceNode
	}
	return yaml.MappingNode
}

// describe says what a field takes, in an operator's words.
func describe(t reflect.Type) string {
	switch {
	case t == durationType:
		return "a duration such as 15s, 2m or 14d"
	case isInt(t.Kind()):
		return "a whole number"
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return "a number"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() == reflect.Slice:
		return "a list"
	case t.Kind() == reflect.Struct || t.Kind() == reflect.Map:
		return "a section of keys"
	}
	return "a single value"
}

// found says what the file has instead.
func found(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a section of keys"
	case yaml.SequenceNode:
		return "a list"
	}
	return strconv.Quote(n.Value)
}

// yamlFields maps yaml keys to field indexes, following inline structs.
func yamlFields(t reflect.Type) map[string][]int {
	out := map[string][]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch {
		case name == "-" || !f.IsExported():
		case strings.Contains(opts, "inline"):
			for k, idx := range yamlFields(f.Type) {
				out[k] = append([]int{i}, idx...)
			}
		case name == "":
			out[strings.ToLower(f.Name)] = []int{i}
		default:
			out[name] = []int{i}
		}
	}
	return out
}

func knownKeys(fields map[string][]int) string {
	if fields == nil {
		return ""
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	slices.Sort(names)
	return " (known keys: " + strings.Join(names, ", ") + ")"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
