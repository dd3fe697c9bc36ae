// Package replay records the exchanges' HTTP answers into a cassette
// directory and serves a cassette back on one local server, so rivalwatch
// runs offline: `rivalwatch record` saves one live sweep, `rivalwatch replay`
// and the demo serve it to collectors whose base URLs point at the server.
//
// A cassette is a directory holding cassette.json, a human-readable index
// sorted by path and query, and one file per recorded body under bodies/.
// Requests are matched on method, path and query, with query parameters
// compared order-insensitively. The paths of Binance (/fapi, /dapi), Bybit
// (/v5) and OKX (/api/v5) never collide, so one cassette and one server hold
// all three exchanges.
//
// Request-signing parameters (signature, apiKey, timestamp, recvWindow) are
// dropped from the index and ignored when matching: they are secret or differ
// on every request, so keeping them would leak a key or make a recorded
// signed request impossible to replay. Request headers, where the exchanges
// carry API keys, are never recorded.
package replay

import (
	"net/url"
	"slices"
	"strings"
)

// indexFile is the cassette's index inside its directory.
const indexFile = "cassette.json"

// formatVersion is bumped when the index changes incompatibly.
const formatVersion = 1

// index is the JSON layout of cassette.json.
type index struct {
	Version    int     `json:"version"`
	RecordedAt string  `json:"recorded_at"` // RFC 3339 UTC
	Entries    []entry `json:"entries"`
}

// entry is one recorded answer.
type entry struct {
	Method      string `json:"method"`
	Host        string `json:"host,omitempty"` // where it was recorded; not matched
	Path        string `json:"path"`
	Query       string `json:"query"`
	Status      int    `json:"status"`
	ContentType string `json:"content_type"`
	RetryAfter  string `json:"retry_after,omitempty"` // kept so a replayed 429 waits as long as the live one
	Body        string `json:"body"`                  // slash-separated, relative to the cassette directory

	data []byte
}

func (e *entry) key() string { return matchKey(e.Method, e.Path, parseQuery(e.Query)) }

// signingParams are the query parameters never stored or matched; keys are
// lower case.
var signingParams = map[string]bool{"signature": true, "apikey": true, "timestamp": true, "recvwindow": true}

// canonicalQuery encodes q sorted by key and by value, without signing
// parameters, so that equal queries in any order encode equally.
func canonicalQuery(q url.Values) string {
	clean := url.Values{}
	for k, vs := range q {
		if signingParams[strings.ToLower(k)] {
			continue
		}
		vs = slices.Clone(vs)
		slices.Sort(vs)
		clean[k] = vs
	}
	return clean.Encode()
}

// parseQuery keeps whatever parses: a malformed pair cannot match a recorded
// canonical query anyway, and the 404 then names the request.
func parseQuery(raw string) url.Values {
	q, _ := url.ParseQuery(raw)
	return q
}

func matchKey(method, path string, q url.Values) string {
	return method + " " + path + "?" + canonicalQuery(q)
}
