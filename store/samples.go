package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// Origin says where a funding observation outside a snapshot came from;
// funding_history shows it as its origin column.
type Origin int

// The origins of funding samples, as stored in funding_samples.origin.
const (
	originSweep    Origin = 0 // a sweep's row, folded out of its snapshot by Compact
	OriginStream   Origin = 1 // a live websocket sample
	OriginBackfill Origin = 2 // a settlement from an exchange's history endpoint
)

// SaveFundingSamples stores funding observations that have no snapshot
// (stream samples, backfilled settlements) in one transaction. A sample
// already stored for the same exchange, symbol, time and origin is kept as
// it was, so storing twice never duplicates a row. It returns how many were
// new.
func (s *Store) SaveFundingSamples(ctx context.Context, origin Origin, fs []collectors.Funding) (int, error) {
	if s.w == nil {
		return 0, fmt.Errorf("save funding samples: %w", errReadOnly)
	}
	n, err := s.inTx(ctx, func(tx *sql.Tx) (int, error) {
		return insertFundingSamples(ctx, tx, newDict(tx), origin, 0, fs)
	})
	if err != nil {
		return 0, fmt.Errorf("save funding samples: %w", err)
	}
	return n, nil
}

// inTx runs f in one write transaction.
func (s *Store) inTx(ctx context.Context, f func(tx *sql.Tx) (int, error)) (int, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	n, err := f(tx)
	if err != nil {
		return 0, err
	}
	return n, tx.Commit()
}

func insertFundingSamples(ctx context.Context, tx *sql.Tx, d *dict, origin Origin, snapshotID int64, fs []collectors.Funding) (int, error) {
	stmt, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO funding_samples
		(series_id, observed_at, origin, sweep_id, rate, terms_id, next_funding_id, mark_price, snapshot_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	n := 0
	for _, f := range fs {
		if f.ObservedAt.IsZero() {
			return 0, fmt.Errorf("funding sample %s %s has no time", f.Exchange, f.Symbol)
		}
		series, err := d.series(ctx, f.Exchange, f.Symbol, f.Unified)
		if err != nil {
			return 0, err
		}
		terms, err := d.terms(ctx, f.IntervalHours, f.Cap, f.Floor)
		if err != nil {
			return 0, err
		}
		var next any
		if !f.NextFundingAt.IsZero() {
			if next, err = d.instant(ctx, f.NextFundingAt); err != nil {
				return 0, err
			}
		}
		res, err := stmt.ExecContext(ctx, series, timeValue(f.ObservedAt), int(origin), snapshotID, f.Rate, terms, next,
			optional(f.MarkPrice), nullID(snapshotID))
		if err != nil {
			return 0, fmt.Errorf("funding sample %s %s: %w", f.Exchange, f.Symbol, err)
		}
		added, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		n += int(added)
	}
	return n, nil
}

// dict finds or adds the dictionary ids of one transaction's samples,
// remembering them so a batch of thousands asks SQLite once per value.
type dict struct {
	tx       *sql.Tx
	seriesID map[[3]string]int64
	known    map[int64]bool // instants already present
	termsID  map[[3]float64]int64
}

func newDict(tx *sql.Tx) *dict {
	return &dict{tx: tx, seriesID: map[[3]string]int64{}, known: map[int64]bool{}, termsID: map[[3]float64]int64{}}
}

func (d *dict) series(ctx context.Context, exchange, symbol, unified string) (int64, error) {
	k := [3]string{exchange, symbol, unified}
	if id, ok := d.seriesID[k]; ok {
		return id, nil
	}
	if _, err := d.tx.ExecContext(ctx, `INSERT OR IGNORE INTO series (exchange, symbol, unified) VALUES (?, ?, ?)`,
		exchange, symbol, unified); err != nil {
		return 0, fmt.Errorf("series %s %s: %w", exchange, symbol, err)
	}
	var id int64
	if err := d.tx.QueryRowContext(ctx, `SELECT id FROM series WHERE exchange = ? AND symbol = ? AND unified = ?`,
		exchange, symbol, unified).Scan(&id); err != nil {
		return 0, fmt.Errorf("series %s %s: %w", exchange, symbol, err)
	}
	d.seriesID[k] = id
	return id, nil
}

// instant returns the id of t (its Unix milliseconds), adding its text.
func (d *dict) instant(ctx context.Context, t time.Time) (int64, error) {
	id := t.UnixMilli()
	if d.known[id] {
		return id, nil
	}
	if _, err := d.tx.ExecContext(ctx, `INSERT OR IGNORE INTO instants (id, at) VALUES (?, ?)`, id, timeValue(t)); err != nil {
		return 0, fmt.Errorf("instant %s: %w", timeValue(t), err)
	}
	d.known[id] = true
	return id, nil
}

func (d *dict) terms(ctx context.Context, interval, fcap, floor float64) (int64, error) {
	k := [3]float64{interval, fcap, floor}
	if id, ok := d.termsID[k]; ok {
		return id, nil
	}
	if _, err := d.tx.ExecContext(ctx, `INSERT OR IGNORE INTO funding_terms (interval_hours, cap, floor) VALUES (?, ?, ?)`,
		interval, fcap, floor); err != nil {
		return 0, fmt.Errorf("funding terms: %w", err)
	}
	var id int64
	if err := d.tx.QueryRowContext(ctx, `SELECT id FROM funding_terms WHERE interval_hours = ? AND cap = ? AND floor = ?`,
		interval, fcap, floor).Scan(&id); err != nil {
		return 0, fmt.Errorf("funding terms: %w", err)
	}
	d.termsID[k] = id
	return id, nil
}

// Gap is a stored stream outage, as the stream_gaps view shows it.
type Gap struct {
	Exchange, Stream string
	From, To         time.Time
	Reason           string
}

// SaveStreamGap stores one outage of a live stream. The same gap stored
// twice (same exchange, stream and start) is kept once.
func (s *Store) SaveStreamGap(ctx context.Context, g Gap) error {
	if s.w == nil {
		return fmt.Errorf("save stream gap: %w", errReadOnly)
	}
	_, err := s.inTx(ctx, func(tx *sql.Tx) (int, error) {
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO stream_gap_rows
			(exchange, stream, from_at, to_at, reason, duration_s) VALUES (?, ?, ?, ?, ?, ?)`,
			g.Exchange, g.Stream, bound(g.From), bound(g.To), g.Reason, g.To.Sub(g.From).Seconds())
		return 0, err
	})
	if err != nil {
		return fmt.Errorf("save stream gap of %s %s: %w", g.Exchange, g.Stream, err)
	}
	return nil
}

// Coverage is the stretch of funding history a backfill has stored for
// one symbol.
type Coverage struct {
	From, To time.Time
	Rows     int
}

// SaveBackfill stores one symbol's backfilled settlements and the stretch
// they cover, in one transaction: after an interrupt, what Backfilled
// reports is exactly what is stored. Settlements already stored are kept
// once. It returns how many rows were new.
func (s *Store) SaveBackfill(ctx context.Context, exchange, symbol string, fs []collectors.Funding, covered Coverage) (int, error) {
	if s.w == nil {
		return 0, fmt.Errorf("save backfill: %w", errReadOnly)
	}
	n, err := s.inTx(ctx, func(tx *sql.Tx) (int, error) {
		n, err := insertFundingSamples(ctx, tx, newDict(tx), OriginBackfill, 0, fs)
		if err != nil {
			return 0, err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO backfill_progress (exchange, symbol, covered_from, covered_to, rows, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (exchange, symbol) DO UPDATE SET
				covered_from = MIN(covered_from, excluded.covered_from),
				covered_to = MAX(covered_to, excluded.covered_to),
				rows = rows + excluded.rows, updated_at = excluded.updated_at`,
			exchange, symbol, bound(covered.From), bound(covered.To), n, bound(s.now()))
		return n, err
	})
	if err != nil {
		return 0, fmt.Errorf("save backfill of %s %s: %w", exchange, symbol, err)
	}
	return n, nil
}

// Backfilled returns what earlier backfills stored for one exchange, by
// symbol.
func (s *Store) Backfilled(ctx context.Context, exchange string) (map[string]Coverage, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT symbol, covered_from, covered_to, rows FROM backfill_progress WHERE exchange = ?`, exchange)
	if err != nil {
		return nil, fmt.Errorf("backfill progress of %s: %w", exchange, err)
	}
	out := map[string]Coverage{}
	err = scanRows(rows, func() error {
		var symbol string
		var from, to sql.NullString
		var c Coverage
		if err := rows.Scan(&symbol, &from, &to, &c.Rows); err != nil {
			return err
		}
		var err error
		if c.From, err = parseTime(from); err != nil {
			return err
		}
		if c.To, err = parseTime(to); err != nil {
			return err
		}
		out[symbol] = c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backfill progress of %s: %w", exchange, err)
	}
	return out, nil
}
