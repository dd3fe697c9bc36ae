package daemon

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/reports/webhook"
)

// TestDailyDigest: the digest of the day that ended is written to the
// reports folder and its headline posted to each chat webhook.
func TestDailyDigest(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	yesterday := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	for i, recs := range [][]collectors.Instrument{
		{instrument("okx", "BTC", time.Time{})},
		{instrument("okx", "BTC", time.Time{}), instrument("okx", "ZORA", yesterday.Add(10*time.Hour))},
	} {
		snap := collectors.Snapshot{Exchange: "okx", Kind: collectors.KindInstruments, StartedAt: yesterday.Add(time.Duration(9+i) * time.Hour).Add(40 * time.Second),
			Records: collectors.Records{Instruments: recs}}
		if _, err := st.Save(ctx, snap); err != nil {
			t.Fatal(err)
		}
	}
	var posted []string
	chat := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]string
		json.Unmarshal(b, &m)
		posted = append(posted, m["text"])
	}))
	defer chat.Close()
	opts := options(t, st, fakeCollector{name: "okx"})
	opts.Now = func() time.Time { return yesterday.Add(32 * time.Hour) } // 08:00 the next day
	opts.Sender = &webhook.Sender{Outbox: st, Hooks: map[string]webhook.Hook{"team": {Name: "team", URL: chat.URL, Format: webhook.Slack}}}
	opts.Chat = []string{"team"}
	d, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.opts.Detector.Pending(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d.dailyDigest(ctx); err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(filepath.Join(opts.ReportsDir, "rivalwatch-digest-2026-11-24.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), "listed 10:00:00, seen 10:00:40 UTC") {
		t.Error("the written digest does not show the detection lag")
	}
	if _, err := os.Stat(filepath.Join(opts.ReportsDir, "rivalwatch-digest-2026-11-24.md")); err != nil {
		t.Error(err)
	}
	if len(posted) != 1 || !strings.HasPrefix(posted[0], "Rival digest 2026-11-24\n1. [high] okx ZORAUSDT") {
		t.Errorf("posted: %q", posted)
	}
}
