package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rivalwatch/rivalwatch/configs"
	"github.com/rivalwatch/rivalwatch/diff"
	"github.com/rivalwatch/rivalwatch/reports/webhook"
	"github.com/rivalwatch/rivalwatch/store"
)

const alertsUsage = `Usage:
  rivalwatch alerts send               deliver the webhook alerts that are due, then exit
  rivalwatch alerts list [--status pending|failed|delivered] [--format table|json]
                                       every delivery: event id, webhook, status, attempts, next attempt, last error
  rivalwatch alerts retry ID|--failed  requeue one event's alerts, or every failed one
  rivalwatch alerts test NAME          send a test message to one webhook

Each takes --config FILE and --db FILE; "rivalwatch alerts SUBCOMMAND --help" lists its flags.
`

// runAlerts dispatches the webhook alert subcommands.
func runAlerts(ctx context.Context, e env, args []string) error {
	subs := map[string]func(context.Context, env, []string) error{
		"send":  runAlertsSend,
		"list":  runAlertsList,
		"retry": runAlertsRetry,
		"test":  runAlertsTest,
	}
	if len(args) == 0 || subs[args[0]] == nil {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h" || args[0] == "-help") {
			fmt.Fprint(e.stderr, alertsUsage)
			return flag.ErrHelp
		}
		return fmt.Errorf("%w: alerts takes send, list, retry or test", errUsage)
	}
	return subs[args[0]](ctx, e, args[1:])
}

// runAlertsSend delivers every alert that is due and exits: non-zero when
// a delivery failed for good during this run, or a webhook cannot be
// used (its secret is not set).
func runAlertsSend(ctx context.Context, e env, args []string) error {
	var c commonFlags
	fs := newFlagSet("alerts send", "alerts send", e.stderr, &c)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	m, err := openMain(ctx, e, c, existing)
	if err != nil {
		return err
	}
	defer m.Close()
	if len(m.Config.Alerts.Webhooks) == 0 {
		return errors.New("the config lists no webhook (alerts.webhooks): nothing to send to")
	}
	s, unusable := m.sender()
	r, err := s.SendDue(ctx)
	if err != nil {
		return err
	}
	if err := printDelivery(ctx, e.stdout, m, r); err != nil {
		return err
	}
	var errs []error
	if r.Failed > 0 {
		errs = append(errs, fmt.Errorf("%d alert(s) failed for good; see `rivalwatch alerts list --status failed`, then `rivalwatch alerts retry --failed` once the receiver is fixed", r.Failed))
	}
	return errors.Join(append(errs, unusable)...)
}

// sendAfterCollect delivers what is due after a sweep, for at most
// alerts.send_timeout; what is left waits for the next run. Problems are
// printed, never returned: collect's outcome is the pulls'.
func sendAfterCollect(parent context.Context, m *Main) {
	if len(m.Config.Alerts.Webhooks) == 0 {
		return
	}
	s, unusable := m.sender()
	if unusable != nil {
		fmt.Fprintf(m.stdout, "Alerts: %v; its alerts wait in the outbox.\n", unusable)
	}
	ctx, cancel := context.WithTimeout(parent, m.Config.Alerts.SendTimeout)
	defer cancel()
	r, err := s.SendDue(ctx)
	if err != nil {
		fmt.Fprintf(m.stdout, "Alerts: cannot read the outbox: %v\n", err)
		return
	}
	if err := printDelivery(parent, m.stdout, m, r); err != nil {
		fmt.Fprintf(m.stdout, "Alerts: %v\n", err)
	}
}

// printDelivery says what one send did and lists every webhook whose
// alerts are failing.
func printDelivery(ctx context.Context, w io.Writer, m *Main, r webhook.Report) error {
	health, err := m.Store.AlertHealth(ctx)
	if err != nil {
		return err
	}
	waiting := 0
	for _, h := range health {
		waiting += h.Pending
	}
	fmt.Fprintf(w, "Alerts: %d delivered, %d to retry, %d failed; %d waiting.\n", r.Delivered, r.Retried, r.Failed, waiting)
	for _, h := range health {
		if h.FailingSince.IsZero() {
			continue
		}
		fmt.Fprintf(w, "  webhook %s failing since %s: %d retrying, %d failed; last error: %s\n", h.Webhook,
			h.FailingSince.UTC().Format(listTime), h.Retrying, h.Failed, terminalSafe(h.LastError))
	}
	return nil
}

// listTime is how alert times are printed.
const listTime = "2006-01-02 15:04:05 UTC"

func runAlertsList(ctx context.Context, e env, args []string) error {
	var c commonFlags
	fs := newFlagSet("alerts list", "alerts list [--status pending|failed|delivered] [--format table|json]", e.stderr, &c)
	status := fs.String("status", "", "only deliveries with this status: pending, failed or delivered")
	format := fs.String("format", "table", "output format: table or json")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	switch *status {
	case "", store.AlertPending, store.AlertFailed, store.AlertDelivered:
	default:
		return fmt.Errorf("%w: unknown status %q (want pending, failed or delivered)", errUsage, *status)
	}
	if *format != "table" && *format != "json" {
		return fmt.Errorf("%w: unknown format %q (want table or json)", errUsage, *format)
	}
	m, err := openMain(ctx, e, c, readOnly)
	if err != nil {
		return err
	}
	defer m.Close()
	alerts, err := m.Store.Alerts(ctx, *status)
	if err != nil {
		return err
	}
	if *format == "json" {
		cols := []string{"id", "webhook", "status", "attempts", "last_error", "next_attempt_at", "delivered_at",
			"created_at", "type", "exchange", "symbol"}
		rows := make([][]any, len(alerts))
		for i, a := range alerts {
			rows[i] = []any{a.EventID, a.Webhook, a.Status, a.Attempts, nullable(a.LastError), jsonTime(a.NextAttemptAt),
				jsonTime(a.DeliveredAt), jsonTime(a.CreatedAt), string(a.Type), a.Exchange, a.Symbol}
		}
		return writeRows(e.stdout, "json", cols, rows)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "EVENT ID\tWEBHOOK\tSTATUS\tATTEMPTS\tNEXT ATTEMPT\tEVENT\tLAST ERROR")
	for _, a := range alerts {
		next := "—"
		switch a.Status {
		case store.AlertPending:
			next = a.NextAttemptAt.UTC().Format(listTime)
		case store.AlertDelivered:
			next = "delivered " + a.DeliveredAt.UTC().Format(listTime)
		}
		event := terminalSafe(strings.Join(strings.Fields(string(a.Type)+" "+a.Exchange+" "+a.Symbol), " "))
		lastErr := "—"
		if a.LastError != "" {
			lastErr = terminalSafe(a.LastError)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", a.EventID, a.Webhook, a.Status, a.Attempts, next, event, lastErr)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.stdout, "(%d alerts)\n", len(alerts))
	return err
}

func runAlertsRetry(ctx context.Context, e env, args []string) error {
	var c commonFlags
	fs := newFlagSet("alerts retry", "alerts retry ID | alerts retry --failed", e.stderr, &c)
	failed := fs.Bool("failed", false, "requeue every failed delivery")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *failed == (len(pos) == 1) || len(pos) > 1 {
		return fmt.Errorf("%w: alerts retry takes one event ID or --failed", errUsage)
	}
	m, err := openMain(ctx, e, c, existing)
	if err != nil {
		return err
	}
	defer m.Close()
	var n int
	if *failed {
		n, err = m.Store.RetryFailedAlerts(ctx)
	} else {
		n, err = m.Store.RetryAlerts(ctx, pos[0])
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.stdout, "%d alert(s) requeued, due now; `rivalwatch alerts send` (or the next collect) delivers them.\n", n)
	return err
}

func runAlertsTest(ctx context.Context, e env, args []string) error {
	var c commonFlags
	fs := newFlagSet("alerts test", "alerts test NAME", e.stderr, &c)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: alerts test takes the name of one webhook", errUsage)
	}
	m, err := openMain(ctx, e, c, noStore)
	if err != nil {
		return err
	}
	defer m.Close()
	s, unusable := m.sender()
	_, usable := s.Hooks[pos[0]]
	configured := slices.ContainsFunc(m.Config.Alerts.Webhooks, func(w configs.Webhook) bool { return w.Name == pos[0] })
	if !usable && configured {
		return unusable
	}
	if err := s.Test(ctx, pos[0]); err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.stdout, "Test message delivered to webhook %s.\n", pos[0])
	return err
}

// sender builds the webhook sender of this config on the Main's store and
// clock. A webhook whose secret is not in the environment is left out, and
// named in unusable, so the others still send.
func (m *Main) sender() (s *webhook.Sender, unusable error) {
	a := m.Config.Alerts
	hooks, unusable := hooksOf(a, os.LookupEnv)
	return &webhook.Sender{
		Outbox: m.Store, Hooks: hooks, Client: webhook.NewClient(webhook.DefaultTimeout),
		MaxBackoff: a.MaxBackoff, GiveUpAfter: a.GiveUpAfter, Now: m.now, Logger: m.log,
	}, unusable
}

// route names the webhooks that want a change, as the detector queues
// alerts; it needs no secret. nil when no webhook is configured.
func route(a configs.Alerts) store.Route {
	if len(a.Webhooks) == 0 {
		return nil
	}
	hooks, _ := hooksOf(a, nil)
	return (&webhook.Sender{Hooks: hooks}).Route
}

// hooksOf converts the config's webhooks, by name. With lookupEnv nil the
// secrets stay empty (routing needs none); otherwise a webhook whose secret
// is unset is left out and named in the error. The error names the
// variable, never a value.
func hooksOf(a configs.Alerts, lookupEnv func(string) (string, bool)) (map[string]webhook.Hook, error) {
	hooks := make(map[string]webhook.Hook, len(a.Webhooks))
	var errs []error
	for _, w := range a.Webhooks {
		h := webhook.Hook{Name: w.Name, URL: w.URL, Format: webhook.Format(w.Format), Types: w.Types,
			MinSeverity: diff.Severity(w.MinSeverity)}
		if lookupEnv != nil {
			secret, err := w.Secret(lookupEnv)
			if err != nil {
				errs = append(errs, fmt.Errorf("webhook %s (alerts.webhooks secret_env): %w", w.Name, err))
				continue
			}
			h.Secret = secret
		}
		hooks[w.Name] = h
	}
	return hooks, errors.Join(errs...)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// jsonTime is an RFC 3339 UTC time, or null for a zero one.
func jsonTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}
