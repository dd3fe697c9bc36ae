package webhook

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestEvent: the event object is the json body, field for field.
func TestEvent(t *testing.T) {
	c := feeCut()
	b, err := Event(c)
	if err != nil {
		t.Fatal(err)
	}
	want, err := body(Hook{}, c, summary(c), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != string(want) {
		t.Errorf("event\n%s\nwant the json body\n%s", b, want)
	}
}

// TestSay: a message goes to the named webhook in its format, signed, and
// a long one is cut to fit every chat service; an unknown name is an
// error naming it.
func TestSay(t *testing.T) {
	rc := newReceiver(t, nil)
	c := &clock{t: time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)}
	s := newSender(nil, c, Hook{Name: "team", URL: rc.srv.URL, Format: Slack})
	text := "Rival digest 2026-11-24\n1. " + strings.Repeat("x", 3000)
	if err := s.Say(context.Background(), "team", text); err != nil {
		t.Fatal(err)
	}
	reqs := rc.requests()
	if len(reqs) != 1 || reqs[0].Status != http.StatusOK {
		t.Fatalf("requests: %+v", reqs)
	}
	var got map[string]string
	if err := json.Unmarshal(reqs[0].Body, &got); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got["text"], "Rival digest 2026-11-24\n1. x") || len([]rune(got["text"])) != maxMessageChars {
		t.Errorf("text: %.60q… (%d characters)", got["text"], len([]rune(got["text"])))
	}
	if err := s.Say(context.Background(), "other", "hi"); err == nil || !strings.Contains(err.Error(), "other") {
		t.Errorf("unknown webhook: %v", err)
	}
}
