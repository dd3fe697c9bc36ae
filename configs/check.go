package configs

import (
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Value checks shared by the sections; each returns nil or a problem at
// key's line.

// checkURL parses strictly: url.Parse alone takes spaces in a path and any
// port number.
func (d *document) checkURL(key, raw string, schemes ...string) error {
	want := strings.Join(schemes, " or ")
	if strings.IndexFunc(raw, unicode.IsSpace) >= 0 {
		return d.at(key, "must be a %s URL without spaces, got %q", want, raw)
	}
	u, err := url.Parse(raw)
	if err != nil || !slices.Contains(schemes, u.Scheme) || u.Hostname() == "" {
		return d.at(key, "must be a %s URL, got %q", want, raw)
	}
	if u.User != nil {
		return d.at(key, "must not hold a user name or password (secrets go in environment variables)")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return d.at(key, "port %s is not between 1 and 65535", p)
		}
	}
	return nil
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// checkEnvName accepts an empty name (nothing configured) or a variable
// name; anything else is most likely the secret itself pasted in.
func (d *document) checkEnvName(key, name string) error {
	if name == "" || envName.MatchString(name) {
		return nil
	}
	return d.at(key, "must name an environment variable (letters, digits and _), not hold the value itself")
}

// checkOneOf accepts one of the allowed values.
func (d *document) checkOneOf(key, v string, allowed ...string) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	return d.at(key, "must be %s, got %q", orList(allowed), v)
}

// checkGlob accepts a path.Match pattern.
func (d *document) checkGlob(key, pattern string) error {
	if _, err := path.Match(pattern, ""); err != nil {
		return d.at(key, "bad pattern %q (use * and ? as in a file name)", pattern)
	}
	return nil
}

// orList writes a, b or c.
func orList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		if s == "" {
			s = `""`
		}
		quoted[i] = s
	}
	if len(quoted) < 2 {
		return strings.Join(quoted, "")
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
}

// exchangeNames are the rivals a section may name.
var exchangeNames = []string{"binance", "bybit", "okx"}
