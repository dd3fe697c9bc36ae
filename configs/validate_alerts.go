package configs

import (
	"errors"
	"fmt"
	"time"
)

// webhookFormats are the bodies the sender can write.
var webhookFormats = []string{"json", "slack", "lark", "discord"}

func validateAlerts(a Alerts, d *document) error {
	var errs []error
	names := map[string]int{}
	for i, w := range a.Webhooks {
		at := fmt.Sprintf("alerts.webhooks[%d]", i)
		errs = append(errs, validateWebhook(at, w, d))
		if first, dup := names[w.Name]; dup && w.Name != "" {
			errs = append(errs, d.at(at+".name", "%q is already the name of alerts.webhooks[%d]", w.Name, first))
		}
		names[w.Name] = i
	}
	for _, p := range []struct {
		key string
		v   time.Duration
	}{{"give_up_after", a.GiveUpAfter}, {"max_backoff", a.MaxBackoff}, {"send_timeout", a.SendTimeout}} {
		if p.v <= 0 {
			errs = append(errs, d.at("alerts."+p.key, "must be positive, got %s", p.v))
		}
	}
	if a.MaxBackoff > a.GiveUpAfter && a.GiveUpAfter > 0 {
		errs = append(errs, d.at("alerts.max_backoff", "%s is longer than give_up_after (%s)", a.MaxBackoff, a.GiveUpAfter))
	}
	return errors.Join(errs...)
}

func validateWebhook(at string, w Webhook, d *document) error {
	errs := []error{
		d.checkOneOf(at+".format", w.Format, webhookFormats...),
		d.checkEnvName(at+".secret_env", w.SecretEnv),
		d.checkOneOf(at+".min_severity", w.MinSeverity, "", "low", "medium", "high"),
	}
	if w.Name == "" {
		errs = append(errs, d.at(at+".name", "must name the webhook (it labels every delivery)"))
	}
	if w.URL == "" {
		errs = append(errs, d.at(at+".url", "is missing"))
	} else if d.checkURL(at+".url", w.URL, "http", "https") != nil {
		// A Slack or Discord webhook address is a credential in itself:
		// say what is wrong without repeating it.
		errs = append(errs, d.at(at+".url", "must be an absolute http:// or https:// address, without spaces or a user name (not repeated here: a webhook address can be a secret)"))
	}
	if len(w.Types) == 0 {
		errs = append(errs, d.at(at+".types", "must list at least one change type or glob such as fee.*"))
	}
	for i, t := range w.Types {
		key := fmt.Sprintf("%s.types[%d]", at, i)
		if t == "" {
			errs = append(errs, d.at(key, "is empty"))
			continue
		}
		errs = append(errs, d.checkGlob(key, t))
	}
	return errors.Join(errs...)
}
