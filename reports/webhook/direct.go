package webhook

import (
	"context"
	"fmt"
	"strconv"

	"github.com/rivalwatch/rivalwatch/diff"
)

// Event is a change in the json format's body, the object our own
// receivers get, so other readers of events (the daemon's /api/changes)
// speak the same contract.
func Event(c diff.Change) ([]byte, error) {
	return body(Hook{Format: JSON}, c, summary(c), c.DetectedAt)
}

// Say posts one message of text to a webhook, outside the outbox: for
// notices such as the daily digest's headline, which are not change
// events and are not retried. Chat formats show the text; the json format
// carries it as the summary of an event of type "message".
func (s *Sender) Say(ctx context.Context, name, text string) error {
	h, ok := s.Hooks[name]
	if !ok {
		return fmt.Errorf("message to webhook %s: no webhook of that name in the config", name)
	}
	h.Name = name
	now := s.now()
	c := diff.Change{ID: "message-" + strconv.FormatInt(now.UnixMilli(), 10), Type: "message", DetectedAt: now}
	payload, err := body(h, c, truncate(text, maxMessageChars), now)
	if err == nil {
		err = s.post(ctx, h, c.ID, payload, now)
	}
	if err != nil {
		return fmt.Errorf("message to webhook %s: %w", name, err)
	}
	return nil
}

// maxMessageChars keeps a message within every chat service's limit
// (Discord's 2,000 characters is the smallest).
const maxMessageChars = 1900
