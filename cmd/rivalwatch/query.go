package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/rivalwatch/rivalwatch/reports/units"
	"github.com/rivalwatch/rivalwatch/store"
)

func runSQL(ctx context.Context, e env, args []string) error {
	var c commonFlags
	fs := newFlagSet("sql", `sql "SELECT ..." [--format table|csv|json] | sql --schema`, e.stderr, &c)
	format := fs.String("format", "table", "output format: table, csv or json")
	schema := fs.Bool("schema", false, "list the public views and their columns")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if !*schema && len(pos) != 1 {
		return fmt.Errorf("%w: sql takes one query in quotes, or --schema", errUsage)
	}
	cfg, err := loadConfig(c)
	if err != nil {
		return err
	}
	st, err := store.OpenReadOnly(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer st.Close()
	if *schema {
		views, err := st.Schema(ctx)
		if err != nil {
			return err
		}
		for _, v := range views {
			cols := make([]string, len(v.Columns))
			for i, col := range v.Columns {
				cols[i] = col.Name
				if col.Type != "" {
					cols[i] += " " + strings.ToLower(col.Type)
				}
			}
			fmt.Fprintf(e.stdout, "%s\n  %s\n\n", v.Name, strings.Join(cols, ", "))
		}
		return nil
	}
	if err := readOnlyQuery(pos[0]); err != nil {
		return err
	}
	res, err := st.Query(ctx, pos[0])
	if err != nil {
		return err
	}
	return writeRows(e.stdout, *format, res.Columns, res.Rows)
}

// writeRows prints a result as an aligned table, CSV or a JSON array of
// objects.
func writeRows(w io.Writer, format string, cols []string, rows [][]any) error {
	switch format {
	case "table":
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.ToUpper(strings.Join(cols, "\t")))
		for _, row := range rows {
			cells := make([]string, len(row))
			for i, v := range row {
				cells[i] = terminalSafe(cell(v))
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		_, err := fmt.Fprintf(w, "(%d rows)\n", len(rows))
		return err
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(cols)
		for _, row := range rows {
			cells := make([]string, len(row))
			for i, v := range row {
				cells[i] = cell(v)
				if _, text := v.(string); text {
					cells[i] = spreadsheetSafe(cells[i])
				}
			}
			cw.Write(cells)
		}
		cw.Flush()
		return cw.Error()
	case "json":
		objs := make([]map[string]any, len(rows))
		for i, row := range rows {
			objs[i] = make(map[string]any, len(cols))
			for j, c := range cols {
				objs[i][c] = row[j]
			}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(objs)
	}
	return fmt.Errorf("%w: unknown format %q (want table, csv or json)", errUsage, format)
}

func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		// 15 significant digits drop binary noise (0.30000000000000004).
		v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 15, 64), 64)
		return units.Number(v)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	default:
		return fmt.Sprint(x)
	}
}

func runChanges(ctx context.Context, e env, args []string) error {
	var c commonFlags
	fs := newFlagSet("changes", "changes [--since 24h] [--format table|csv|json]", e.stderr, &c)
	since := fs.String("since", "24h", "how far back to list events: 90m, 24h, 2d, or an RFC 3339 time")
	format := fs.String("format", "table", "output format: table, csv or json")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	m, err := openMain(ctx, e, c, readOnly)
	if err != nil {
		return err
	}
	defer m.Close()
	st := m.Store
	now := e.now()
	from, err := parseSince(*since, now)
	if err != nil {
		return err
	}
	changes, err := st.Changes(ctx, from, now.Add(time.Hour))
	if err != nil {
		return err
	}
	cols := []string{"detected_at", "severity", "type", "exchange", "symbol", "field", "old", "new", "id"}
	rows := make([][]any, len(changes))
	for i, ch := range changes {
		rows[i] = []any{ch.DetectedAt.UTC().Format(time.RFC3339), string(ch.Severity), string(ch.Type), ch.ExchangeLabel(), ch.Symbol, ch.Field, ch.Old, ch.New, ch.ID}
	}
	return writeRows(e.stdout, *format, cols, rows)
}

// terminalSafe drops control characters from exchange text, so a symbol
// carrying an escape sequence or a newline can neither break the table nor
// rewrite the terminal.
func terminalSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return -1
		}
		return r
	}, s)
}

// spreadsheetSafe neutralizes a CSV cell a spreadsheet would run as a
// formula (OWASP CSV injection): a leading =, +, -, @, tab or carriage
// return gets a quote in front.
func spreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// parseSince reads --since: a duration with days allowed (2d, 36h, 90m)
// or an RFC 3339 time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	days, rest, _ := strings.Cut(s, "d")
	var d time.Duration
	if strings.Contains(s, "d") {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return time.Time{}, fmt.Errorf("%w: --since %q: want a duration such as 90m, 24h or 2d, or an RFC 3339 time", errUsage, s)
		}
		d = time.Duration(n) * 24 * time.Hour
		s = rest
	}
	if s != "" {
		extra, err := time.ParseDuration(s)
		if err != nil || extra < 0 {
			return time.Time{}, fmt.Errorf("%w: --since %q: want a duration such as 90m, 24h or 2d, or an RFC 3339 time", errUsage, s)
		}
		d += extra
	}
	return now.Add(-d), nil
}

// readOnlyQuery refuses what is not a query before SQLite sees it: the
// connection is read-only, but VACUUM INTO or ATTACH would still create an
// empty file before failing.
func readOnlyQuery(q string) error {
	s := strings.TrimSpace(q)
	for strings.HasPrefix(s, "--") || strings.HasPrefix(s, "/*") {
		if strings.HasPrefix(s, "--") {
			_, s, _ = strings.Cut(s, "\n")
		} else {
			_, s, _ = strings.Cut(s, "*/")
		}
		s = strings.TrimSpace(s)
	}
	word, _, _ := strings.Cut(strings.ToUpper(s), " ")
	word = strings.TrimRight(word, "(\n\t")
	switch word {
	case "SELECT", "WITH", "VALUES", "EXPLAIN":
		return nil
	}
	return fmt.Errorf("%w: sql runs queries only (SELECT, WITH, VALUES, EXPLAIN), not %q", errUsage, strings.ToLower(word))
}
