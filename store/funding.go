package store

import (
	"context"
	"database/sql"
	"errors"
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

func insertFunding(ctx context.Context, tx writeTx, id int64, recs collectors.Records) error {
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

// readFunding reads one snapshot's funding rows, from funding_rows or,
// once folded, from funding_samples.
func readFunding(ctx context.Context, tx *sql.Tx, id int64, exchange string, recs *collectors.Records) error {
	var first, last string
	err := tx.QueryRowContext(ctx, `SELECT first_observed, last_observed FROM folded_snapshots WHERE snapshot_id = ?`, id).Scan(&first, &last)
	var fs []collectors.Funding
	switch {
	case errors.Is(err, sql.ErrNoRows):
		fs, err = readFundingRows(ctx, tx, id, exchange)
	case err == nil:
		fs, err = readFolded(ctx, tx, id, exchange, first, last)
	}
	if err != nil {
		return fmt.Errorf("funding: %w", err)
	}
	recs.Funding = append(recs.Funding, fs...)
	return nil
}

func readFundingRows(ctx context.Context, tx *sql.Tx, id int64, exchange string) ([]collectors.Funding, error) {
	rows, err := tx.QueryContext(ctx, `SELECT symbol, unified, rate, interval_hours, cap, floor, next_funding_at,
		mark_price, observed_at FROM funding_rows WHERE snapshot_id = ? ORDER BY symbol`, id)
	if err != nil {
		return nil, err
	}
	return scanFunding(rows, exchange)
}

// readFolded reads a folded snapshot's rows: per series of the exchange,
// the samples of that snapshot among those observed in its time range.
func readFolded(ctx context.Context, tx *sql.Tx, id int64, exchange, first, last string) ([]collectors.Funding, error) {
	rows, err := tx.QueryContext(ctx, `SELECT se.symbol, se.unified, p.rate, NULLIF(t.interval_hours, 0), NULLIF(t.cap, 0),
		NULLIF(t.floor, 0), n.at, p.mark_price, p.observed_at
		FROM series se
		JOIN funding_samples p ON p.series_id = se.id AND p.observed_at BETWEEN ? AND ? AND p.origin = ? AND p.sweep_id = ?
		JOIN funding_terms t ON t.id = p.terms_id
		LEFT JOIN instants n ON n.id = p.next_funding_id
		WHERE se.exchange = ? ORDER BY se.symbol`, first, last, int(originSweep), id, exchange)
	if err != nil {
		return nil, err
	}
	return scanFunding(rows, exchange)
}

func scanFunding(rows *sql.Rows, exchange string) ([]collectors.Funding, error) {
	var out []collectors.Funding
	err := scanRows(rows, func() error {
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
		out = append(out, f)
		return nil
	})
	return out, err
}
