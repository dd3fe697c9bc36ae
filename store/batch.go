package store

import (
	"context"
	"database/sql"
	"errors"
	"math/bits"
	"strings"
	"sync"
)

// batchRows is how many rows one INSERT carries: a sweep's 1,500
// instruments go in 8 statements instead of 1,500, which is most of the
// cost of writing a snapshot. 200 × 23 columns stays far below SQLite's
// limit of 32,766 parameters.
const batchRows = 200

// insertBatch inserts n rows into table with one multi-row INSERT per
// batchRows, and the rest in chunks of a power of two rows, so that every
// statement it runs is one of a few per table that the writer keeps
// prepared (see batchStatements); row(i) returns the values of row i in
// the order of columns.
func insertBatch(ctx context.Context, tx writeTx, table string, columns []string, n int, row func(i int) []any) error {
	head := "INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") VALUES "
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(columns)), ", ") + ")"
	args := make([]any, 0, batchRows*len(columns))
	for start := 0; start < n; {
		end := start + chunkRows(n-start)
		args = args[:0]
		for i := start; i < end; i++ {
			args = append(args, row(i)...)
		}
		stmt, err := tx.batches.stmt(ctx, tx.Tx, head+strings.TrimSuffix(strings.Repeat(one+", ", end-start), ", "))
		if err != nil {
			return err
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// chunkRows is how many of left rows the next INSERT carries: batchRows,
// else the largest power of two that fits.
func chunkRows(left int) int {
	if left >= batchRows {
		return batchRows
	}
	return 1 << (bits.Len(uint(left)) - 1)
}

// batchStatements keeps insertBatch's statements prepared on the writer
// across transactions: parsing a 200-row INSERT costs a fifth of running
// it. chunkRows bounds them to nine per table. The writer has a single
// connection, held by the transaction while insertBatch runs, so a
// statement missing from the cache is prepared in the transaction and
// only noted; prepare adds the noted ones once the connection is free.
type batchStatements struct {
	mu      sync.Mutex
	stmts   map[string]*sql.Stmt // prepared on the writer, by query
	missing map[string]bool
}

func newBatchStatements() *batchStatements {
	return &batchStatements{stmts: map[string]*sql.Stmt{}, missing: map[string]bool{}}
}

// writeTx is a snapshot's write transaction with the writer's prepared
// batch statements.
type writeTx struct {
	*sql.Tx
	batches *batchStatements
}

// stmt returns query as a statement of tx: the cached one when there is
// one, else one prepared in tx (a nil c caches nothing).
func (c *batchStatements) stmt(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	if c == nil {
		return tx.PrepareContext(ctx, query)
	}
	c.mu.Lock()
	cached, ok := c.stmts[query]
	if !ok {
		c.missing[query] = true
	}
	c.mu.Unlock()
	if ok {
		return tx.StmtContext(ctx, cached), nil
	}
	return tx.PrepareContext(ctx, query)
}

// prepare prepares on w the statements that transactions found missing.
// It must run outside any transaction of w, whose one connection it
// waits for, and without c.mu, which a transaction may be waiting for. A
// statement that fails to prepare stays noted for the next time: the
// cache only saves work.
func (c *batchStatements) prepare(ctx context.Context, w *sql.DB) {
	c.mu.Lock()
	var queries []string
	for query := range c.missing {
		queries = append(queries, query)
	}
	c.mu.Unlock()
	for _, query := range queries {
		stmt, err := w.PrepareContext(ctx, query)
		if err != nil {
			return
		}
		c.mu.Lock()
		if _, dup := c.stmts[query]; dup { // prepared meanwhile by another save
			stmt.Close()
		} else {
			c.stmts[query] = stmt
		}
		delete(c.missing, query)
		c.mu.Unlock()
	}
}

func (c *batchStatements) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for query, stmt := range c.stmts {
		errs = append(errs, stmt.Close())
		delete(c.stmts, query)
	}
	return errors.Join(errs...)
}
