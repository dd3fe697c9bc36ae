package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors/pages"
)

// TestDemoServe runs demo --serve with a fast switch and fast pulls: the
// URL is printed, the events of day two arrive on /api/changes, and the
// status page and today's digest page render in a real browser (headless
// Chromium) with the three exchanges and the headline.
func TestDemoServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, testEnv(t, out, out), []string{"demo", "--serve", "--dir", t.TempDir(), "--listen", "127.0.0.1:0",
			"--switch-after", "0s", "--every", "1s"})
	}()
	var url string
	deadline := time.Now().Add(serveWait)
	for url == "" {
		if _, after, ok := strings.Cut(out.String(), "Open "); ok {
			url, _, _ = strings.Cut(after, " ")
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo --serve printed no URL:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	url = strings.TrimSuffix(url, "/")
	var events []map[string]any
	for len(events) < 10 {
		resp, err := http.Get(url + "/api/changes?since=1h")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err := json.Unmarshal(b, &events); err != nil {
			t.Fatalf("/api/changes: %v: %s", err, b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d events from day two, want at least 10:\n%s", len(events), out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The demo plays live funding over local websockets too.
	for _, want := range []string{`rivalwatch_stream_up{exchange="binance",stream="!markPrice@arr"} 1`,
		`rivalwatch_stream_up{exchange="bybit",stream="tickers"} 1`, `rivalwatch_stream_up{exchange="okx",stream="funding-rate"} 1`} {
		for !strings.Contains(get(t, url+"/metrics"), want) {
			if time.Now().After(deadline) {
				t.Fatalf("/metrics lacks %s:\n%s", want, out.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	t.Run("browser", func(t *testing.T) {
		if !hasChromium() {
			t.Skip("chromium not installed: apt-get install -y chromium; CI installs it")
		}
		status, err := pages.Render(ctx, url+"/", pages.BrowserOptions{WaitSelector: "#feeds", Timeout: serveWait})
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`<td class="exchange">binance</td>`, `<td class="exchange">bybit</td>`, `<td class="exchange">okx</td>`,
			"ZORAUSDT", "Today's headline so far", "funding-rate"} {
			if !strings.Contains(string(status), want) {
				t.Errorf("the status page in the browser lacks %q", want)
			}
		}
		day := time.Now().UTC().Format(time.DateOnly)
		digest, err := pages.Render(ctx, url+"/digest/"+day, pages.BrowserOptions{WaitSelector: "#days", Timeout: serveWait})
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Rival digest " + day, "ZORAUSDT", `rel="prev"`, "Headline"} {
			if !strings.Contains(string(digest), want) {
				t.Errorf("the digest page in the browser lacks %q", want)
			}
		}
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "day two is live") {
		t.Errorf("output:\n%s", out.String())
	}
}

func hasChromium() bool {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if _, err := exec.LookPath(name); err == nil {
			return true
		}
	}
	return false
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
