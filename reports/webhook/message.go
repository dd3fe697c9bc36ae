package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/rivalwatch/rivalwatch/diff"
)

// Lengths of untrusted text (symbols and values come from rival APIs and
// announcement pages) in a message, in characters.
const (
	maxValueChars   = 120
	maxSummaryChars = 400
)

// detectedLayout is RFC 3339 UTC with milliseconds, the json body's time.
const detectedLayout = "2006-01-02T15:04:05.000Z"

// event is the json format's body. Receivers parse it: its field names are
// a contract, like the store's views.
type event struct {
	ID         string             `json:"id"`
	Type       string             `json:"type"`
	Exchange   string             `json:"exchange"`
	Symbol     string             `json:"symbol"`
	Unified    string             `json:"unified"`
	Field      string             `json:"field"`
	Old        *string            `json:"old"`
	New        *string            `json:"new"`
	Severity   string             `json:"severity"`
	DetectedAt string             `json:"detected_at"`
	Summary    string             `json:"summary"`
	Evidence   map[string]float64 `json:"evidence"`
}

// body is what one attempt posts to a webhook in its format. now is the
// attempt's time, which Lark's signature covers.
func body(h Hook, c diff.Change, text string, now time.Time) ([]byte, error) {
	var v any
	switch h.Format {
	case "", JSON:
		evidence := c.Evidence
		if evidence == nil {
			evidence = map[string]float64{}
		}
		v = event{
			ID: c.ID, Type: string(c.Type), Exchange: c.Exchange, Symbol: c.Symbol, Unified: c.Unified,
			Field: c.Field, Old: nullable(c.Old), New: nullable(c.New), Severity: string(c.Severity),
			DetectedAt: c.DetectedAt.UTC().Format(detectedLayout), Summary: text, Evidence: evidence,
		}
	case Slack:
		v = map[string]string{"text": slackEscape(text)}
	case Discord:
		// Untrusted text must not ping @everyone or a role.
		v = map[string]any{"content": text, "allowed_mentions": map[string][]string{"parse": {}}}
	case Lark:
		// Lark's text reads <at user_id="all"></at> as a mention of everyone.
		m := map[string]any{"msg_type": "text", "content": map[string]string{
			"text": strings.NewReplacer("<", "‹", ">", "›").Replace(text),
		}}
		if h.Secret != "" {
			ts := now.Unix()
			m["timestamp"] = fmt.Sprint(ts)
			m["sign"] = larkSign(h.Secret, ts)
		}
		v = m
	default:
		return nil, fmt.Errorf("unknown webhook format %q", h.Format)
	}
	// Chat services show the text as sent: no \u003c escapes for <, > and &.
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("build the message: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// slackEscape keeps untrusted text from becoming a link or a <!channel>
// mention: Slack asks for exactly these three escapes.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// phrases say what a change type means, for people.
var phrases = map[diff.Type]string{
	diff.ListingNew:                          "listed a new perpetual",
	diff.ListingPrelaunch:                    "opened pre-market trading",
	diff.ListingDelisted:                     "delisted",
	diff.ListingStatus:                       "changed trading status",
	diff.ListingParam:                        "changed a contract parameter",
	diff.FundingInterval:                     "changed the funding interval",
	diff.FundingCap:                          "changed the funding cap",
	diff.FundingExtreme:                      "has extreme funding",
	diff.FundingDivergence:                   "funding diverges across exchanges",
	diff.MarketVolumeSpike:                   "volume spike",
	diff.MarketOISpike:                       "open interest spike",
	diff.Type("fee.tier"):                    "changed a fee tier",
	diff.Type("fee.symbol"):                  "changed a symbol's fees",
	diff.Type("fee.announced"):               "announced a fee change",
	diff.Type("promo.new"):                   "started a promotion",
	diff.Type("promo.ending"):                "promotion ending",
	diff.Type("yield.apr"):                   "changed a yield rate",
	diff.Type("listing.announced"):           "announced a listing",
	diff.Type("listing.delisting_announced"): "announced a delisting",
	diff.Type("funding.announced"):           "announced a funding change",
	diff.Type("params.announced"):            "announced a contract change",
}

// summary is the one line a chat message shows and the json body carries:
// who, what, the numbers with their units, and how urgent.
func summary(c diff.Change) string {
	what, ok := phrases[c.Type]
	if !ok {
		what = strings.NewReplacer(".", " ", "_", " ").Replace(string(c.Type))
	}
	subject := join(" ", clean(c.Exchange), clean(c.Symbol))
	var change string
	switch old, new := clean(c.Old), clean(c.New); {
	case old != "" && new != "":
		change = old + " → " + new
	default:
		change = old + new
	}
	s := join(": ", join(" ", subject, what), join(" ", clean(c.Field), change))
	if c.Severity != "" {
		s += " (" + string(c.Severity) + ")"
	}
	return truncate(s, maxSummaryChars)
}

// clean makes untrusted text one short line.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return truncate(strings.Join(strings.Fields(s), " "), maxValueChars)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func join(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
