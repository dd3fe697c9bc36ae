package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/rivalwatch/rivalwatch/collectors"
)

var yieldStore = kindStore{
	kind:   collectors.KindYield,
	noun:   "yield product",
	insert: insertYield,
	read:   readYield,
	hash: func(h *hasher, recs collectors.Records, check func(exchange, key string) error) error {
		for _, y := range recs.Yield {
			if err := check(y.Exchange, y.Key()); err != nil {
				return err
			}
			h.str("y", y.Product, y.ProductID, y.Coin, y.Term)
			h.num(y.APR)
		}
		return nil
	},
}

func insertYield(ctx context.Context, tx writeTx, id int64, recs collectors.Records) error {
	if len(recs.Yield) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO yield_rows
		(snapshot_id, product, product_id, coin, apr, term, observed_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, y := range recs.Yield {
		if _, err := stmt.ExecContext(ctx, id, y.Product, y.ProductID, y.Coin, y.APR, y.Term, timeValue(y.ObservedAt)); err != nil {
			return fmt.Errorf("insert yield %s: %w", y.Key(), err)
		}
	}
	return nil
}

// readYield reads in Pull's order, by Yield.Key.
func readYield(ctx context.Context, tx *sql.Tx, id int64, exchange string, recs *collectors.Records) error {
	rows, err := tx.QueryContext(ctx, `SELECT product, product_id, coin, apr, term, observed_at
		FROM yield_rows WHERE snapshot_id = ?
		ORDER BY product || '/' || product_id || '/' || coin || '/' || term`, id)
	if err != nil {
		return err
	}
	err = scanRows(rows, func() error {
		y := collectors.Yield{Exchange: exchange}
		var observed sql.NullString
		if err := rows.Scan(&y.Product, &y.ProductID, &y.Coin, &y.APR, &y.Term, &observed); err != nil {
			return err
		}
		var err error
		y.ObservedAt, err = parseTime(observed)
		recs.Yield = append(recs.Yield, y)
		return err
	})
	if err != nil {
		return fmt.Errorf("yield: %w", err)
	}
	return nil
}
