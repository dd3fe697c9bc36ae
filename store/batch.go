package store

import (
	"context"
	"database/sql"
	"strings"
)

// batchRows is how many rows one INSERT carries: a sweep's 1,500
// instruments go in 8 statements instead of 1,500, which is most of the
// cost of writing a snapshot. 200 × 23 columns stays far below SQLite's
// limit of 32,766 parameters.
const batchRows = 200

// insertBatch inserts n rows into table with one multi-row INSERT per
// batchRows; row(i) returns the values of row i in the order of columns.
func insertBatch(ctx context.Context, tx *sql.Tx, table string, columns []string, n int, row func(i int) []any) error {
	head := "INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") VALUES "
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(columns)), ", ") + ")"
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, batchRows*len(columns))
	for start := 0; start < n; start += batchRows {
		end := min(start+batchRows, n)
		args = args[:0]
		for i := start; i < end; i++ {
			args = append(args, row(i)...)
		}
		query := head + strings.TrimSuffix(strings.Repeat(one+", ", end-start), ", ")
		var err error
		if end-start == batchRows {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, query); err != nil {
					return err
				}
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, query, args...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
