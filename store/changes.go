package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rivalwatch/rivalwatch/diff"
)

// Route names the webhooks that want a change event; nil queues no alert.
type Route func(diff.Change) []string

// SaveChanges stores change events, ignoring those already stored under the
// same stable ID, so re-running diff never duplicates an event, and in the
// same transaction queues an alert to every webhook route names for each
// event that is new. An event stored before keeps the alerts it had, so
// nothing is sent twice. It returns how many events were new.
func (s *Store) SaveChanges(ctx context.Context, changes []diff.Change, route Route) (int, error) {
	if s.w == nil {
		return 0, fmt.Errorf("save changes: %w", errReadOnly)
	}
	n, err := s.saveChanges(ctx, changes, route)
	if err != nil {
		return 0, fmt.Errorf("save changes: %w", err)
	}
	return n, nil
}

func (s *Store) saveChanges(ctx context.Context, changes []diff.Change, route Route) (int, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	n, err := insertChanges(ctx, tx, changes, route, s.now())
	if err != nil {
		return 0, err
	}
	return n, tx.Commit()
}

// SaveRunChanges stores the events one run brought, queues their alerts as
// SaveChanges does, and marks the run compared, all in one transaction: a
// process killed in between leaves the run pending and no event or alert
// half-saved, and a second detector finds nothing left to do.
func (s *Store) SaveRunChanges(ctx context.Context, runID int64, changes []diff.Change, route Route) (int, error) {
	if s.w == nil {
		return 0, fmt.Errorf("save changes of run %d: %w", runID, errReadOnly)
	}
	n, err := s.saveRunChanges(ctx, runID, changes, route)
	if err != nil {
		return 0, fmt.Errorf("save changes of run %d: %w", runID, err)
	}
	return n, nil
}

func (s *Store) saveRunChanges(ctx context.Context, runID int64, changes []diff.Change, route Route) (int, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	now := s.now()
	n, err := insertChanges(ctx, tx, changes, route, now)
	if err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE run_log SET diffed_at = COALESCE(diffed_at, ?) WHERE id = ?`, timeValue(now), runID)
	if err != nil {
		return 0, err
	}
	if affected, err := res.RowsAffected(); err != nil {
		return 0, err
	} else if affected == 0 {
		return 0, fmt.Errorf("no run %d", runID)
	}
	return n, tx.Commit()
}

// insertChanges adds the events not stored yet, queues each new one's
// alerts (due at now) to the webhooks route names, and returns how many
// events were new.
func insertChanges(ctx context.Context, tx *sql.Tx, changes []diff.Change, route Route, now time.Time) (int, error) {
	stmt, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO change_events
		(id, detected_at, exchange, exchanges, kind, type, symbol, unified, field, old, new, severity,
		 snapshot_from, snapshot_to, evidence, source_at, detection_lag_s)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	inserted := 0
	for _, c := range changes {
		if c.ID == "" {
			return 0, fmt.Errorf("%s %s %s: change has no ID", c.Exchange, c.Type, c.Symbol)
		}
		var evidence any
		if len(c.Evidence) > 0 {
			// encoding/json sorts map keys, so equal evidence is equal text.
			b, err := json.Marshal(c.Evidence)
			if err != nil {
				return 0, fmt.Errorf("change %s: evidence: %w", c.ID, err)
			}
			evidence = string(b)
		}
		exchanges, err := json.Marshal(c.ExchangeList())
		if err != nil {
			return 0, fmt.Errorf("change %s: exchanges: %w", c.ID, err)
		}
		res, err := stmt.ExecContext(ctx, c.ID, timeValue(c.DetectedAt), c.Exchange, string(exchanges), string(c.Kind), string(c.Type),
			c.Symbol, c.Unified, c.Field, c.Old, c.New, string(c.Severity),
			nullID(c.SnapshotFrom), nullID(c.SnapshotTo), evidence, timeValue(c.SourceAt), detectionLag(c))
		if err != nil {
			return 0, fmt.Errorf("change %s: %w", c.ID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		if n == 0 {
			continue
		}
		inserted++
		if route == nil {
			continue
		}
		if err := insertAlerts(ctx, tx, c.ID, route(c), now); err != nil {
			return 0, fmt.Errorf("change %s: %w", c.ID, err)
		}
	}
	return inserted, nil
}

// detectionLag is how many seconds passed between the rival publishing
// what an event is about and our detecting it; NULL when the source time
// is unknown.
func detectionLag(c diff.Change) any {
	if c.SourceAt.IsZero() || c.DetectedAt.IsZero() {
		return nil
	}
	return c.DetectedAt.Sub(c.SourceAt).Seconds()
}

// Changes returns the change events detected in [from, to), by detection
// time, then ID.
func (s *Store) Changes(ctx context.Context, from, to time.Time) ([]diff.Change, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, detected_at, exchange, exchanges, kind, type, symbol, unified, field,
		old, new, severity, snapshot_from, snapshot_to, evidence, source_at
		FROM change_events WHERE detected_at >= ? AND detected_at < ? ORDER BY detected_at, id`,
		bound(from), bound(to))
	if err != nil {
		return nil, fmt.Errorf("changes: %w", err)
	}
	var out []diff.Change
	err = scanRows(rows, func() error {
		var c diff.Change
		var detected, evidence, source sql.NullString
		var exchanges string
		var from, to sql.NullInt64
		if err := rows.Scan(&c.ID, &detected, &c.Exchange, &exchanges, &c.Kind, &c.Type, &c.Symbol, &c.Unified, &c.Field,
			&c.Old, &c.New, &c.Severity, &from, &to, &evidence, &source); err != nil {
			return err
		}
		c.SnapshotFrom, c.SnapshotTo = from.Int64, to.Int64
		var err error
		if c.DetectedAt, err = parseTime(detected); err != nil {
			return err
		}
		if c.SourceAt, err = parseTime(source); err != nil {
			return err
		}
		if c.Exchange == "" {
			if err := json.Unmarshal([]byte(exchanges), &c.Exchanges); err != nil {
				return fmt.Errorf("change %s: exchanges: %w", c.ID, err)
			}
		}
		if evidence.Valid {
			if err := json.Unmarshal([]byte(evidence.String), &c.Evidence); err != nil {
				return fmt.Errorf("change %s: evidence: %w", c.ID, err)
			}
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("changes: %w", err)
	}
	return out, nil
}
