package store

import (
	"context"
	"fmt"
)

// Result is the outcome of an ad-hoc query: column names and rows of
// int64, float64, string or nil values.
type Result struct {
	Columns []string
	Rows    [][]any
}

// Query runs one analyst query for `rivalwatch sql`. It always runs on a
// query-only connection, so even on a writable store it cannot change data.
func (s *Store) Query(ctx context.Context, query string, args ...any) (Result, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return Result{}, fmt.Errorf("query: %w", err)
	}
	var res Result
	if res.Columns, err = rows.Columns(); err != nil {
		rows.Close()
		return Result{}, fmt.Errorf("query: %w", err)
	}
	err = scanRows(rows, func() error {
		vals := make([]any, len(res.Columns))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			// TEXT read as []byte aliases driver memory and prints as
			// numbers; people want the text.
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		res.Rows = append(res.Rows, vals)
		return nil
	})
	if err != nil {
		return Result{}, fmt.Errorf("query: %w", err)
	}
	return res, nil
}

// View is one public view.
type View struct {
	Name    string
	Columns []Column
}

// Column is one column of a view, with its declared SQL type ("" when
// SQLite cannot tell).
type Column struct {
	Name, Type string
}

// publicViews are the analyst contract, in the order the README documents
// them.
var publicViews = []string{
	"instruments_latest",
	"instruments_history",
	"funding_history",
	"market_history",
	"fees_latest",
	"fees_history",
	"runs",
	"changes",
	"alerts",
	"stream_gaps",
	"announcements",
	"yield_history",
}

// Schema describes the public views as the database defines them, for the
// README's schema section and `rivalwatch sql --schema`.
func (s *Store) Schema(ctx context.Context) ([]View, error) {
	views := make([]View, 0, len(publicViews))
	for _, name := range publicViews {
		rows, err := s.r.QueryContext(ctx, `SELECT name, type FROM pragma_table_info(?) ORDER BY cid`, name)
		if err != nil {
			return nil, fmt.Errorf("schema of %s: %w", name, err)
		}
		v := View{Name: name}
		err = scanRows(rows, func() error {
			var c Column
			if err := rows.Scan(&c.Name, &c.Type); err != nil {
				return err
			}
			v.Columns = append(v.Columns, c)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("schema of %s: %w", name, err)
		}
		if len(v.Columns) == 0 {
			return nil, fmt.Errorf("schema of %s: the view is missing", name)
		}
		views = append(views, v)
	}
	return views, nil
}
