package main

import (
	"fmt"
	"log/slog"

	"github.com/rivalwatch/rivalwatch/configs"
	"github.com/rivalwatch/rivalwatch/diff"
	"github.com/rivalwatch/rivalwatch/reports/webhook"
)

// newSender builds the webhook sender of the config's alerts on an outbox
// (the store), reading each webhook's signing secret from the environment
// variable the config names; lookupEnv is os.LookupEnv outside tests.
func newSender(cfg configs.Config, outbox webhook.Outbox, log *slog.Logger, lookupEnv func(string) (string, bool)) (*webhook.Sender, error) {
	hooks := make(map[string]webhook.Hook, len(cfg.Alerts.Webhooks))
	for _, w := range cfg.Alerts.Webhooks {
		secret, err := w.Secret(lookupEnv)
		if err != nil {
			return nil, fmt.Errorf("alerts: webhook %s: %w", w.Name, err)
		}
		hooks[w.Name] = webhook.Hook{Name: w.Name, URL: w.URL, Format: webhook.Format(w.Format), Secret: secret,
			Types: w.Types, MinSeverity: diff.Severity(w.MinSeverity)}
	}
	return &webhook.Sender{Outbox: outbox, Hooks: hooks, GiveUpAfter: cfg.Alerts.GiveUpAfter,
		MaxBackoff: cfg.Alerts.MaxBackoff, Logger: log}, nil
}

// chatHooks names the webhooks that are chat channels (Slack, Lark,
// Discord): those get the daily digest's headline.
func chatHooks(cfg configs.Config) []string {
	var names []string
	for _, w := range cfg.Alerts.Webhooks {
		switch webhook.Format(w.Format) {
		case webhook.Slack, webhook.Lark, webhook.Discord:
			names = append(names, w.Name)
		}
	}
	return names
}
