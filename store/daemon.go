package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Lag is one change event whose source carries a time: how long after the
// source's time the event was seen.
type Lag struct {
	ID, Exchange, Kind, Type string
	DetectedAt, SourceAt     time.Time
}

// Seconds is the detection lag in seconds, never negative (an exchange's
// clock running a little ahead of ours is no lag).
func (l Lag) Seconds() float64 { return max(l.DetectedAt.Sub(l.SourceAt).Seconds(), 0) }

// Lags returns the events detected at or after from whose source carries a
// time, by detection time: what the daemon's detection-lag metric
// observes.
func (s *Store) Lags(ctx context.Context, from time.Time) ([]Lag, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, exchange, kind, type, detected_at, source_at FROM change_events
		WHERE detected_at >= ? AND source_at IS NOT NULL ORDER BY detected_at, id`, bound(from))
	if err != nil {
		return nil, fmt.Errorf("detection lags: %w", err)
	}
	var out []Lag
	err = scanRows(rows, func() error {
		var l Lag
		var detected, source sql.NullString
		if err := rows.Scan(&l.ID, &l.Exchange, &l.Kind, &l.Type, &detected, &source); err != nil {
			return err
		}
		var err error
		if l.DetectedAt, err = parseTime(detected); err != nil {
			return err
		}
		l.SourceAt, err = parseTime(source)
		out = append(out, l)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("detection lags: %w", err)
	}
	return out, nil
}

// CheckWritable takes the database's write lock and lets it go, writing
// nothing: the daemon's health check that a write would succeed now.
func (s *Store) CheckWritable(ctx context.Context) error {
	if s.w == nil {
		return fmt.Errorf("check the database: %w", errReadOnly)
	}
	tx, err := s.w.BeginTx(ctx, nil) // BEGIN IMMEDIATE: the write lock
	if err != nil {
		return fmt.Errorf("the database is not writable: %w", err)
	}
	if err := tx.Rollback(); err != nil {
		return fmt.Errorf("the database is not writable: %w", err)
	}
	return nil
}
