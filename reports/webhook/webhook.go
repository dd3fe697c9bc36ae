// Package webhook delivers change events to webhooks: signed JSON for our
// own receivers, or a one-line message for Slack, Lark (Feishu) and Discord.
//
// Delivery is at least once and in order per webhook. Alerts wait in the
// store's outbox, written in the same transaction as their events; a
// Sender leases the head of each webhook's queue, posts it, and records
// the answer. Nothing is marked delivered before a 2xx, so a process
// killed mid-delivery leaves the alert to be sent again when its lease
// runs out, under the same event ID, which is the receiver's idempotency
// key.
package webhook

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"slices"

	"github.com/rivalwatch/rivalwatch/diff"
)

// Format is the body a webhook accepts.
type Format string

// The formats.
const (
	JSON    Format = "json"    // our own signed body, for receivers we write
	Slack   Format = "slack"   // a Slack incoming webhook
	Lark    Format = "lark"    // a Lark (Feishu) custom bot
	Discord Format = "discord" // a Discord channel webhook
)

// DefaultTypes are the change types a webhook gets when its config names
// none: fee changes, measured or announced.
var DefaultTypes = []string{"fee.*", "fee.announced"}

// Hook is one configured webhook.
type Hook struct {
	Name   string
	URL    string
	Format Format // "" means JSON
	// Secret signs each request (for Lark, in Lark's own scheme). It comes
	// from the environment, never from the config file, and is never
	// logged or stored.
	Secret string
	// Types are path.Match globs over change types ("fee.*"); nil means
	// DefaultTypes.
	Types []string
	// MinSeverity is the lowest severity sent: "" for every severity, or
	// low, medium or high.
	MinSeverity diff.Severity
}

// Matches reports whether the webhook wants the change.
func (h Hook) Matches(c diff.Change) bool {
	if h.MinSeverity != "" && c.Severity.Rank() < h.MinSeverity.Rank() {
		return false
	}
	types := h.Types
	if types == nil {
		types = DefaultTypes
	}
	return slices.ContainsFunc(types, func(glob string) bool {
		ok, err := path.Match(glob, string(c.Type))
		return ok && err == nil
	})
}

// Validate reports every problem with the webhook at once, in the words of
// its config keys.
func (h Hook) Validate() error {
	var errs []error
	if h.Name == "" {
		errs = append(errs, errors.New("name: missing"))
	}
	if u, err := url.Parse(h.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		// The URL itself may be a credential (Slack's is): never repeat it.
		errs = append(errs, errors.New("url: want an absolute http:// or https:// address"))
	}
	switch h.Format {
	case "", JSON, Slack, Lark, Discord:
	default:
		errs = append(errs, fmt.Errorf("format: unknown %q (want json, slack, lark or discord)", h.Format))
	}
	for _, glob := range h.Types {
		if _, err := path.Match(glob, ""); err != nil {
			errs = append(errs, fmt.Errorf("types: bad pattern %q", glob))
		}
	}
	switch h.MinSeverity {
	case "", diff.Low, diff.Medium, diff.High:
	default:
		errs = append(errs, fmt.Errorf("min_severity: unknown %q (want low, medium, high or empty for all)", h.MinSeverity))
	}
	return errors.Join(errs...)
}
