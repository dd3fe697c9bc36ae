package webhook

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/diff"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// feeCut is a rival's fee cut, the alert this package exists for.
func feeCut() diff.Change {
	return diff.Change{
		ID: "6f1c2a9be0d34a71", Exchange: "bybit", Kind: "fees", Type: "fee.tier", Symbol: "VIP0",
		Field: "taker", Old: "5.5 bps", New: "4.5 bps", Severity: diff.High,
		DetectedAt: t0.Add(1234 * time.Millisecond), SnapshotFrom: 7, SnapshotTo: 9,
		Evidence: map[string]float64{"old_rate": 0.00055, "new_rate": 0.00045},
	}
}

// TestBodies pins each format's body (golden files; -update rewrites them).
func TestBodies(t *testing.T) {
	listing := diff.Change{ID: "0a0b0c0d0e0f0102", Exchange: "okx", Type: diff.ListingNew, Symbol: "ZRO-USDT-SWAP",
		Unified: "ZRO/USDT:USDT", New: "trading", Severity: diff.Medium, DetectedAt: t0}
	for _, tc := range []struct {
		golden string
		hook   Hook
		c      diff.Change
	}{
		{"json.golden", Hook{Format: JSON}, feeCut()},
		{"json-nulls.golden", Hook{}, listing}, // no old value, no evidence
		{"slack.golden", Hook{Format: Slack}, feeCut()},
		{"discord.golden", Hook{Format: Discord}, feeCut()},
		{"lark.golden", Hook{Format: Lark}, feeCut()},
		{"lark-signed.golden", Hook{Format: Lark, Secret: "test-secret"}, feeCut()},
	} {
		b, err := body(tc.hook, tc.c, summary(tc.c), t0)
		if err != nil {
			t.Fatalf("%s: %v", tc.golden, err)
		}
		if !json.Valid(b) {
			t.Fatalf("%s: not JSON: %s", tc.golden, b)
		}
		var pretty bytes.Buffer
		json.Indent(&pretty, b, "", "  ")
		pretty.WriteByte('\n')
		golden(t, tc.golden, pretty.Bytes())
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test ./reports/webhook -update and review the diff)\n got:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestSummary(t *testing.T) {
	long := strings.Repeat("A", 500)
	for _, tc := range []struct {
		name string
		c    diff.Change
		want string
	}{
		{"fee cut", feeCut(), "bybit VIP0 changed a fee tier: taker 5.5 bps → 4.5 bps (high)"},
		{"new listing", diff.Change{Exchange: "okx", Type: diff.ListingNew, Symbol: "ZRO-USDT-SWAP", New: "trading", Severity: diff.Medium},
			"okx ZRO-USDT-SWAP listed a new perpetual: trading (medium)"},
		{"only the old value", diff.Change{Exchange: "binance", Type: diff.ListingDelisted, Symbol: "XUSDT", Old: "trading", Severity: diff.High},
			"binance XUSDT delisted: trading (high)"},
		{"an unknown type is spelled out", diff.Change{Exchange: "okx", Type: "promo.fee_waiver", Symbol: "BTC"},
			"okx BTC promo fee waiver"},
		{"control characters and newlines", diff.Change{Exchange: "okx", Type: "fee.announced", Symbol: "BTC\n\tUSDT\x07", New: "0 bps\r\nmaker"},
			"okx BTC USDT announced a fee change: 0 bps maker"},
		{"long values are cut", diff.Change{Exchange: "okx", Type: "fee.announced", New: long},
			"okx announced a fee change: " + strings.Repeat("A", maxValueChars-1) + "…"},
	} {
		if got := summary(tc.c); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
	many := diff.Change{Exchange: long, Symbol: long, Field: long, Old: long, New: long, Type: "fee.tier"}
	if n := len([]rune(summary(many))); n > maxSummaryChars {
		t.Errorf("summary of %d characters, want at most %d", n, maxSummaryChars)
	}
}

// TestChatBodiesDefuseMentions: rival text must not ping a whole channel.
func TestChatBodiesDefuseMentions(t *testing.T) {
	c := diff.Change{Exchange: "okx", Type: "fee.announced", New: `<!channel> <at user_id="all"></at> @everyone <https://evil.example|click>`}
	for _, tc := range []struct {
		format Format
		bad    []string
		want   string
	}{
		{Slack, []string{"<!channel>", "<https://"}, `&lt;!channel&gt;`},
		{Lark, []string{`<at user_id=\"all\">`}, `‹at user_id=\"all\"›`},
		{Discord, nil, `"allowed_mentions":{"parse":[]}`},
	} {
		b, err := body(Hook{Format: tc.format}, c, summary(c), t0)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range tc.bad {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s body keeps %s: %s", tc.format, bad, b)
			}
		}
		if !strings.Contains(string(b), tc.want) {
			t.Errorf("%s body lacks %s: %s", tc.format, tc.want, b)
		}
	}
}
