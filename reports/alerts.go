package reports

import (
	"fmt"
	"sort"
	"time"
)

// WebhookHealth is how deliveries to one webhook are doing, as the outbox
// counts them.
type WebhookHealth struct {
	Name     string
	Pending  int // waiting, retries included
	Retrying int // pending after at least one failed attempt
	Failed   int // given up: a permanent answer, or retries ran out
	// FailingSince is when the oldest alert still failing was queued;
	// zero when none is failing.
	FailingSince  time.Time
	LastDelivered time.Time // zero when nothing was ever delivered
	LastError     string
}

// WebhookLine is one webhook's delivery health as the digest shows it: a
// row of the freshness table and, when it is failing, an item of its own
// at the top.
type WebhookLine struct {
	Name             string    `json:"webhook"`
	Failing          bool      `json:"failing"`
	Failures         int       `json:"failures"` // alerts retrying or given up
	Retrying         int       `json:"retrying"`
	Failed           int       `json:"failed"`
	Pending          int       `json:"pending"`
	FailingSince     time.Time `json:"failing_since"`
	LastDelivered    time.Time `json:"last_delivered"`
	LastDeliveredAge string    `json:"last_delivered_age"`
	LastError        string    `json:"last_error,omitempty"`
	// Summary is the item a failing webhook raises: which webhook, since
	// when, how many alerts, the last error and what to do.
	Summary string `json:"summary,omitempty"`
}

// webhookLines turns the outbox's health into the digest's lines, by name.
func webhookLines(hs []WebhookHealth, now time.Time) []WebhookLine {
	out := make([]WebhookLine, 0, len(hs))
	for _, h := range hs {
		l := WebhookLine{
			Name: h.Name, Failures: h.Retrying + h.Failed, Retrying: h.Retrying, Failed: h.Failed, Pending: h.Pending,
			FailingSince: h.FailingSince.UTC(), LastDelivered: h.LastDelivered.UTC(), LastError: h.LastError,
			LastDeliveredAge: "never",
		}
		if !h.LastDelivered.IsZero() {
			l.LastDeliveredAge = formatAge(now.Sub(h.LastDelivered))
		}
		l.Failing = l.Failures > 0
		if l.Failing {
			l.Summary = failingSummary(l, now)
		}
		out = append(out, l)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func failingSummary(l WebhookLine, now time.Time) string {
	var state string
	switch {
	case l.Failed > 0 && l.Retrying > 0:
		state = fmt.Sprintf("%d given up, %d still retrying", l.Failed, l.Retrying)
	case l.Failed > 0:
		state = "given up"
	default:
		state = "still retrying"
	}
	since := "—"
	if !l.FailingSince.IsZero() {
		since = l.FailingSince.Format("2006-01-02 15:04 UTC") + " (" + formatAge(now.Sub(l.FailingSince)) + " ago)"
	}
	s := fmt.Sprintf("webhook %s has not received %d alert(s) since %s: %s", l.Name, l.Failures, since, state)
	if l.LastError != "" {
		s += "; last error: " + l.LastError
	}
	if l.Failed > 0 {
		s += ". Fix the receiver, then run `rivalwatch alerts retry --failed`"
	}
	return s
}
