package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors/classify"
)

// runClassify reads announcements as JSON Lines on stdin and writes one
// classification per line, in order, so an analyst can try a rule change
// on saved text before deploying it. A bad line gets an error line; the
// rest are still classified.
func runClassify(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("classify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	exchange := fs.String("exchange", "", "exchange of lines that do not name one: binance, bybit or okx")
	rulesFile := fs.String("rules", "", "rules file (default: the built-in configs/classify.yaml)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: rivalwatch classify [--exchange binance|bybit|okx] [--rules FILE] < announcements.jsonl\n\n"+
			"Each input line: {\"id\", \"exchange\", \"title\", \"body\", \"published_at\"}.\n\nFlags:\n")
		fs.PrintDefaults()
	}
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
	rules, err := loadClassifyRules(*rulesFile)
	if err != nil {
		return err
	}
	in := bufio.NewReader(stdin)
	out := bufio.NewWriter(stdout)
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

func loadClassifyRules(path string) (*classify.Rules, error) {
	if path == "" {
		data, err := builtinClassifyRules()
		if err != nil {
			return nil, err
		}
		return classify.ParseRules("classify.yaml", data)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	return classify.ParseRules(path, data)
}

// builtinClassifyRules is configs/classify.yaml as the binary embeds it.
func builtinClassifyRules() ([]byte, error) {
	return nil, errors.New("this build has no built-in classification rules: pass --rules configs/classify.yaml")
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
