package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors/classify"
	"github.com/rivalwatch/rivalwatch/configs"
)

// runClassify reads announcements as JSON Lines on stdin and writes one
// classification per line, in order, so an analyst can try a rule change
// on saved text before deploying it. A bad line gets an error line; the
// rest are still classified. With --reclassify it applies the rules to
// every stored announcement instead, from the stored text.
func runClassify(ctx context.Context, e env, args []string) error {
	var c commonFlags
	fs := newFlagSet("classify", "classify [--exchange binance|bybit|okx] [--rules FILE] < announcements.jsonl\n"+
		"       rivalwatch classify --reclassify [--rules FILE]\n\n"+
		"Each input line: {\"id\", \"exchange\", \"title\", \"body\", \"published_at\"}.", e.stderr, &c)
	exchange := fs.String("exchange", "", "exchange of lines that do not name one: binance, bybit or okx")
	rulesFile := fs.String("rules", "", "rules file (default: the config's classify_rules, else the built-in configs/classify.yaml)")
	reclassify := fs.Bool("reclassify", false, "re-classify the stored announcements with the rules (nothing is fetched)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: classify reads standard input and takes no arguments (got %q)", errUsage, pos[0])
	}
	if *exchange != "" && !slices.Contains([]string{"binance", "bybit", "okx"}, *exchange) {
		return fmt.Errorf("%w: --exchange %q: want binance, bybit or okx", errUsage, *exchange)
	}
	cfg, err := loadConfig(c)
	if err != nil {
		return err
	}
	rules := cfg.ClassifyRules
	if *rulesFile != "" {
		data, err := os.ReadFile(*rulesFile)
		if err != nil {
			return fmt.Errorf("rules: %w", err)
		}
		if rules, err = classify.ParseRules(*rulesFile, data); err != nil {
			return err
		}
	}
	if *reclassify {
		return reclassifyStored(ctx, e, cfg, rules)
	}
	in := bufio.NewReader(e.stdin)
	out := bufio.NewWriter(e.stdout)
	defer out.Flush()
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, readErr := in.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			out.Write(classifyLine(rules, line, n, *exchange))
			out.WriteByte('\n')
		}
		if errors.Is(readErr, io.EOF) {
			return out.Flush()
		}
		if readErr != nil {
			return fmt.Errorf("reading standard input: %w", readErr)
		}
	}
}

// reclassifyStored applies rules to every stored announcement.
func reclassifyStored(ctx context.Context, e env, cfg configs.Config, rules *classify.Rules) error {
	m, err := startMain(ctx, e, cfg, existing)
	if err != nil {
		return err
	}
	defer m.Close()
	n, err := m.Store.Reclassify(ctx, rules.Annotate)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d stored announcements re-classified. Database: %s\n", n, cfg.Database)
	return nil
}

// announcementLine is one input line.
type announcementLine struct {
	ID          json.RawMessage `json:"id"`
	Exchange    string          `json:"exchange"`
	Title       string          `json:"title"`
	Body        string          `json:"body"`
	PublishedAt string          `json:"published_at"`
}

// idField finds the id of a line that is not valid JSON, so its error line
// can still name it.
var idField = regexp.MustCompile(`"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)`)

// classifyLine turns one input line into one output line.
func classifyLine(rules *classify.Rules, line []byte, n int, exchange string) []byte {
	var a announcementLine
	if err := json.Unmarshal(line, &a); err != nil {
		id := json.RawMessage("null")
		if m := idField.FindSubmatch(line); m != nil && json.Valid(m[1]) {
			id = m[1]
		}
		return errorLine(id, n, "not valid JSON: "+err.Error())
	}
	if len(a.ID) == 0 {
		a.ID = json.RawMessage("null")
	}
	in := classify.Input{Exchange: strings.ToLower(a.Exchange), Title: a.Title, Body: a.Body}
	if in.Exchange == "" {
		in.Exchange = exchange
	}
	if a.PublishedAt != "" {
		t, err := time.Parse(time.RFC3339, a.PublishedAt)
		if err != nil {
			return errorLine(a.ID, n, fmt.Sprintf("published_at %q is not an ISO-8601 time like 2026-01-08T10:00:00Z", a.PublishedAt))
		}
		in.PublishedAt = t
	}
	res, err := json.Marshal(rules.Classify(in))
	if err != nil {
		return errorLine(a.ID, n, err.Error())
	}
	// {"id":…, then the result's own fields.
	return append([]byte(`{"id":`+string(a.ID)+`,`), res[1:]...)
}

func errorLine(id json.RawMessage, n int, msg string) []byte {
	b, _ := json.Marshal(struct {
		ID    json.RawMessage `json:"id"`
		Line  int             `json:"line"`
		Error string          `json:"error"`
	}{id, n, fmt.Sprintf("line %d: %s", n, msg)})
	return b
}
