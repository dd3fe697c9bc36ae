package reports

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestWebhookLines(t *testing.T) {
	tests := []struct {
		name    string
		h       WebhookHealth
		failing bool
		summary string // "" when not failing
		row     string // the Markdown freshness row
	}{
		{"healthy", WebhookHealth{Name: "ops", LastDelivered: generated.Add(-35 * time.Minute)}, false, "",
			"| webhook | ops alerts | delivered 35 min ago | 0 | — |"},
		{"nothing delivered yet", WebhookHealth{Name: "ops", Pending: 2}, false, "",
			"| webhook | ops alerts | never delivered | 0 | — |"},
		{"retrying", WebhookHealth{Name: "ops", Pending: 3, Retrying: 3, FailingSince: generated.Add(-150 * time.Minute),
			LastDelivered: generated.Add(-3 * time.Hour), LastError: "connection refused"}, true,
			"webhook ops has not received 3 alert(s) since 2025-03-14 05:30 UTC (2 h 30 min ago): still retrying; last error: connection refused",
			"| webhook | ops alerts | delivered 3 h ago **FAILING** | 3 | connection refused |"},
		{"given up", WebhookHealth{Name: "desk", Failed: 1, Retrying: 1, FailingSince: generated.Add(-26 * time.Hour),
			LastError: "HTTP 400: unknown field"}, true,
			"webhook desk has not received 2 alert(s) since 2025-03-13 06:00 UTC (26 h ago): 1 given up, 1 still retrying; last error: HTTP 400: unknown field. Fix the receiver, then run `rivalwatch alerts retry --failed`",
			"| webhook | desk alerts | never delivered **FAILING** | 2 | HTTP 400: unknown field |"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Build(Input{Date: day, GeneratedAt: generated, Webhooks: []WebhookHealth{tt.h}})
			if len(d.Webhooks) != 1 {
				t.Fatalf("webhooks %+v", d.Webhooks)
			}
			l := d.Webhooks[0]
			if l.Failing != tt.failing || l.Summary != tt.summary {
				t.Errorf("failing %v, summary\n %q\nwant %v\n %q", l.Failing, l.Summary, tt.failing, tt.summary)
			}
			var md, html bytes.Buffer
			if err := RenderMarkdown(&md, d, nil); err != nil {
				t.Fatal(err)
			}
			if err := RenderHTML(&html, d); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(md.String(), tt.row) {
				t.Errorf("Markdown freshness lacks\n%s\n%s", tt.row, md.String())
			}
			item := "> **Alerts not delivered:** "
			if got := strings.Contains(md.String(), item); got != tt.failing {
				t.Errorf("Markdown has the failing item: %v, want %v\n%s", got, tt.failing, md.String())
			}
			if got := strings.Contains(html.String(), "<b>Alerts not delivered:</b> webhook "+tt.h.Name); got != tt.failing {
				t.Errorf("HTML has the failing item: %v, want %v", got, tt.failing)
			}
		})
	}
}

// TestWebhookTextEscaped: a receiver's answer is web text, escaped in both
// renderings.
func TestWebhookTextEscaped(t *testing.T) {
	d := Build(Input{Date: day, GeneratedAt: generated, Webhooks: []WebhookHealth{{Name: "ops", Failed: 1,
		FailingSince: generated, LastError: "HTTP 400: <script>x</script> | [a](http://evil)"}}})
	var md, html bytes.Buffer
	if err := RenderMarkdown(&md, d, nil); err != nil {
		t.Fatal(err)
	}
	if err := RenderHTML(&html, d); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html.String(), "<script>") || strings.Contains(md.String(), "[a](http://evil)") || strings.Contains(md.String(), "<script>") {
		t.Errorf("unescaped receiver text:\n%s\n%s", md.String(), html.String())
	}
}
