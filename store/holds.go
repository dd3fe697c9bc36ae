package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Hold is an exchange's request to send nothing until a moment.
type Hold struct {
	Exchange  string
	Until     time.Time
	ErrorKind string // rate_limited or ip_banned
	Status    int    // the HTTP status that asked us to wait
	Reason    string
}

// SaveHold records a hold; a hold ending earlier than the one already
// recorded does not shorten it.
func (s *Store) SaveHold(ctx context.Context, h Hold) error {
	if s.w == nil {
		return fmt.Errorf("save hold of %s: %w", h.Exchange, errReadOnly)
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO holds (exchange, until, error_kind, status, reason, set_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (exchange) DO UPDATE SET until = excluded.until, error_kind = excluded.error_kind,
			status = excluded.status, reason = excluded.reason, set_at = excluded.set_at
		WHERE excluded.until > holds.until`,
		h.Exchange, timeValue(h.Until), h.ErrorKind, h.Status, h.Reason, timeValue(s.now()))
	if err != nil {
		return fmt.Errorf("save hold of %s: %w", h.Exchange, err)
	}
	return nil
}

// Holds returns the holds still running at now, by exchange.
func (s *Store) Holds(ctx context.Context, now time.Time) (map[string]Hold, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT exchange, until, error_kind, status, reason FROM holds WHERE until > ?`, bound(now))
	if err != nil {
		return nil, fmt.Errorf("holds: %w", err)
	}
	out := map[string]Hold{}
	err = scanRows(rows, func() error {
		var h Hold
		var until sql.NullString
		if err := rows.Scan(&h.Exchange, &until, &h.ErrorKind, &h.Status, &h.Reason); err != nil {
			return err
		}
		h.Until, err = parseTime(until)
		out[h.Exchange] = h
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("holds: %w", err)
	}
	return out, nil
}
