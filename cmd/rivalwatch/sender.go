package main

import (
	"github.com/rivalwatch/rivalwatch/configs"
	"github.com/rivalwatch/rivalwatch/reports/webhook"
)

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
