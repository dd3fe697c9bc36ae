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
				cells[i] = cell(v)
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
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	default:
		return fmt.Sprint(x)
	}
}

func runChanges(ctx context.Context, e env, args []string) error {
	var c commonFlags
	fs := newFlagSet("changes", "changes [--since 24h] [--format table|csv|json]", e.stderr, &c)
	since := fs.Duration("since", 24*time.Hour, "how far back to list events")
	format := fs.String("format", "table", "output format: table, csv or json")
	if _, err := parseArgs(fs, args); err != nil {
		return err
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
	now := time.Now()
	changes, err := st.Changes(ctx, now.Add(-*since), now.Add(time.Hour))
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
