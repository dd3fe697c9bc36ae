package pages

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// scriptPage has no table in its HTML: its script builds it, as the
// futures fee pages do.
const scriptPage = `<!DOCTYPE html><html><head><title>Fees</title></head><body>
<div id="app">Loading…</div>
<script>
document.addEventListener("DOMContentLoaded", function () {
  setTimeout(function () {
    var rows = [["VIP0", "0.0200%", "0.0500%"], ["VIP1", "0.0160%", "0.0400%"]];
    var t = document.createElement("table");
    t.className = "fee-table";
    t.innerHTML = "<tr><th>Level</th><th>Maker</th><th>Taker</th></tr>" +
      rows.map(function (r) { return "<tr><td>" + r.join("</td><td>") + "</td></tr>"; }).join("");
    document.getElementById("app").replaceChildren(t);
  }, 10);
});
</script></body></html>`

func needChromium(t *testing.T) {
	t.Helper()
	for _, name := range browserNames {
		if _, err := exec.LookPath(name); err == nil {
			return
		}
	}
	t.Skip("chromium not installed: apt-get install -y chromium; CI installs it")
}

func TestRenderRunsThePageScript(t *testing.T) {
	needChromium(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/en/fee/futureFee" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(scriptPage))
	}))
	defer srv.Close()

	raw, err := New(newClient(5*time.Second), Options{}).Fetch(context.Background(), srv.URL+"/en/fee/futureFee")
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if _, err := Text(raw, "table.fee-table"); collectors.KindOf(err) != collectors.ErrMalformed {
		t.Fatalf("the fetched page already has the table (%v): the test proves nothing", err)
	}

	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // the profile goes here, so the check below sees only ours
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	page, err := Render(ctx, srv.URL+"/en/fee/futureFee", BrowserOptions{WaitSelector: "table.fee-table"})
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	got, err := Text(page, "table.fee-table")
	if err != nil {
		t.Fatalf("Text of the rendered page: %v", err)
	}
	want := "Level | Maker | Taker\nVIP0 | 0.0200% | 0.0500%\nVIP1 | 0.0160% | 0.0400%"
	if got != want {
		t.Errorf("rendered table =\n%s\nwant\n%s", got, want)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "rivalwatch-chromium-*")); len(left) > 0 {
		t.Errorf("browser profile left behind: %v", left)
	}
}

func TestRenderClassifiesThePageStatus(t *testing.T) {
	needChromium(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("<html><body>maintenance</body></html>"))
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, err := Render(ctx, srv.URL+"/fees", BrowserOptions{})
	if kind := collectors.KindOf(err); kind != collectors.ErrServer {
		t.Fatalf("Render of a 503 page: kind %s (%v), want server_error", kind, err)
	}
}

func TestRenderWithoutABrowserFailsAtOnce(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // nothing to find
	tests := []struct {
		name, execPath, want string
	}{
		{"none on PATH", "", "render: no Chromium found (install Debian's chromium)"},
		{"configured path missing", filepath.Join(t.TempDir(), "chromium"), "render: no Chromium at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Render(context.Background(), "http://127.0.0.1:1/fees", BrowserOptions{ExecPath: tt.execPath})
			if kind := collectors.KindOf(err); kind != collectors.ErrInternal {
				t.Errorf("kind %s, want internal", kind)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to say %q", err, tt.want)
			}
		})
	}
}
