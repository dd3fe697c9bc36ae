package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/rivalwatch/rivalwatch/collectors"
)

var feeStore = kindStore{
	kind:   collectors.KindFees,
	noun:   "fee",
	insert: insertFees,
	read:   readFees,
	hash: func(h *hasher, recs collectors.Records, check func(exchange, key string) error) error {
		for _, f := range recs.Fees {
			if err := check(f.Exchange, f.Key()); err != nil {
				return err
			}
			h.str("fee", f.Product, f.Tier, f.Symbol, f.Source)
			h.num(f.MakerRate, f.TakerRate, f.Min30dVolumeUSD, f.MinBalanceUSD)
		}
		return nil
	},
}

func insertFees(ctx context.Context, tx writeTx, id int64, recs collectors.Records) error {
	if len(recs.Fees) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO fee_rows
		(snapshot_id, product, tier, symbol, source, maker_rate, taker_rate, min_30d_volume_usd, min_balance_usd, observed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, f := range recs.Fees {
		if _, err := stmt.ExecContext(ctx, id, f.Product, f.Tier, f.Symbol, f.Source, f.MakerRate, f.TakerRate,
			f.Min30dVolumeUSD, f.MinBalanceUSD, timeValue(f.ObservedAt),
		); err != nil {
			return fmt.Errorf("insert fee %s: %w", f.Key(), err)
		}
	}
	return nil
}

func readFees(ctx context.Context, tx *sql.Tx, id int64, exchange string, recs *collectors.Records) error {
	// Sorted as collectors.Fee.Key sorts: product|tier|symbol|source, byte
	// order, which is SQLite's default collation.
	rows, err := tx.QueryContext(ctx, `SELECT product, tier, symbol, source, maker_rate, taker_rate,
		min_30d_volume_usd, min_balance_usd, observed_at FROM fee_rows WHERE snapshot_id = ?
		ORDER BY product || '|' || tier || '|' || symbol || '|' || source`, id)
	if err != nil {
		return err
	}
	err = scanRows(rows, func() error {
		f := collectors.Fee{Exchange: exchange}
		var observed sql.NullString
		if err := rows.Scan(&f.Product, &f.Tier, &f.Symbol, &f.Source, &f.MakerRate, &f.TakerRate,
			&f.Min30dVolumeUSD, &f.MinBalanceUSD, &observed); err != nil {
			return err
		}
		var err error
		f.ObservedAt, err = parseTime(observed)
		recs.Fees = append(recs.Fees, f)
		return err
	})
	if err != nil {
		return fmt.Errorf("fees: %w", err)
	}
	return nil
}
