package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/rivalwatch/rivalwatch/collectors"
)

var fundingStore = kindStore{
	kind:   collectors.KindFunding,
	noun:   "funding",
	insert: insertFunding,
	read:   readFunding,
	hash: func(h *hasher, recs collectors.Records, check func(exchange, key string) error) error {
		for _, f := range recs.Funding {
			if err := check(f.Exchange, f.Symbol); err != nil {
				return err
			}
			h.str("f", f.Symbol, f.Unified)
			h.num(f.Rate, f.IntervalHours, f.Cap, f.Floor, f.MarkPrice)
			h.time(f.NextFundingAt)
		}
		return nil
	},
}

func insertFunding(ctx context.Context, tx *sql.Tx, id int64, recs collectors.Records) error {
	fs := recs.Funding
	err := insertBatch(ctx, tx, "funding_rows", []string{"snapshot_id", "symbol", "unified", "rate", "interval_hours",
		"cap", "floor", "next_funding_at", "mark_price", "observed_at"}, len(fs), func(i int) []any {
		f := fs[i]
		return []any{id, f.Symbol, f.Unified, f.Rate, optional(f.IntervalHours),
			optional(f.Cap), optional(f.Floor), timeValue(f.NextFundingAt), optional(f.MarkPrice), timeValue(f.ObservedAt)}
	})
	if err != nil {
		return fmt.Errorf("insert funding: %w", err)
	}
	return nil
}

func readFunding(ctx context.Context, tx *sql.Tx, id int64, exchange string, recs *collectors.Records) error {
	rows, err := tx.QueryContext(ctx, `SELECT symbol, unified, rate, interval_hours, cap, floor, next_funding_at,
		mark_price, observed_at FROM funding_rows WHERE snapshot_id = ? ORDER BY symbol`, id)
	if err != nil {
		return err
	}
	err = scanRows(rows, func() error {
		f := collectors.Funding{Exchange: exchange}
		var interval, fcap, floor, mark sql.NullFloat64
		var next, observed sql.NullString
		if err := rows.Scan(&f.Symbol, &f.Unified, &f.Rate, &interval, &fcap, &floor, &next, &mark, &observed); err != nil {
			return err
		}
		f.IntervalHours, f.Cap, f.Floor, f.MarkPrice = interval.Float64, fcap.Float64, floor.Float64, mark.Float64
		var err error
		if f.NextFundingAt, err = parseTime(next); err != nil {
			return err
		}
		if f.ObservedAt, err = parseTime(observed); err != nil {
			return err
		}
		recs.Funding = append(recs.Funding, f)
		return nil
	})
	if err != nil {
		return fmt.Errorf("funding: %w", err)
	}
	return nil
}
