package collectors

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Caps on the untrusted text of an announcement, whichever exchange sent
// it: enough for any real title and article, never a 50 MB page in a run
// row or a digest.
const (
	MaxTitleRunes = 500
	MaxBodyBytes  = 200_000
)

// CapRunes keeps at most n runes of s, invalid UTF-8 replaced.
func CapRunes(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// CapBytes keeps at most n bytes of s, cut at a rune boundary, invalid
// UTF-8 replaced.
func CapBytes(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// MillisField parses epoch milliseconds sent as a number or a string;
// absent, null, "" and 0 are the zero time. name is the field, for the
// error.
func MillisField(name string, raw json.RawMessage) (time.Time, error) {
	s := string(bytes.TrimSpace(raw))
	if s == "" || s == "null" {
		return time.Time{}, nil
	}
	if s[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, fmt.Errorf("%s is not a millisecond timestamp: %.40s", name, raw)
		}
		if s == "" {
			return time.Time{}, nil
		}
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s is not a millisecond timestamp: %.40s", name, raw)
	}
	return Millis(ms), nil
}

// locale matches a leading locale segment such as en-US or zh-TW.
var locale = regexp.MustCompile(`^[a-z]{2}(-[A-Za-z]{2,4})?$`)

// ArticleID is an article URL's path without its locale, so that the same
// article read under another locale keeps its id.
func ArticleID(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("url is not a web address: %q", CapRunes(raw, 80))
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(segs) > 1 && locale.MatchString(segs[0]) {
		segs = segs[1:]
	}
	id := "/" + strings.Join(segs, "/")
	if id == "/" {
		return "", fmt.Errorf("url has no article path: %q", CapRunes(raw, 80))
	}
	return id, nil
}
