package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// RunRef points at one complete run and the snapshot it observed.
type RunRef struct {
	RunID      int64
	SnapshotID int64
	StartedAt  time.Time
}

// Run is a complete run of one (exchange, kind).
type Run struct {
	RunRef
	Exchange string
	Kind     collectors.Kind
}

// completeStatuses is the SQL spelling of RunStatus.Complete.
const completeStatuses = `status IN ('new', 'unchanged')`

// CompleteRuns returns the last n complete runs of one (exchange, kind)
// that started at or before until, oldest first. Consecutive runs share a
// SnapshotID when nothing changed.
func (s *Store) CompleteRuns(ctx context.Context, exchange string, kind collectors.Kind, until time.Time, n int) ([]RunRef, error) {
	if n <= 0 {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, snapshot_id, started_at FROM run_log
		WHERE exchange = ? AND kind = ? AND `+completeStatuses+` AND started_at <= ?
		ORDER BY started_at DESC, id DESC LIMIT ?`, exchange, string(kind), timeValue(until), n)
	if err != nil {
		return nil, fmt.Errorf("complete runs of %s %s: %w", exchange, kind, err)
	}
	var refs []RunRef
	err = scanRows(rows, func() error {
		var ref RunRef
		var started sql.NullString
		if err := rows.Scan(&ref.RunID, &ref.SnapshotID, &started); err != nil {
			return err
		}
		ref.StartedAt, err = parseTime(started)
		refs = append(refs, ref)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("complete runs of %s %s: %w", exchange, kind, err)
	}
	slices.Reverse(refs)
	return refs, nil
}

// PendingRuns returns the complete runs not yet marked diffed, oldest first.
func (s *Store) PendingRuns(ctx context.Context) ([]Run, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, snapshot_id, started_at, exchange, kind FROM run_log
		WHERE diffed_at IS NULL AND `+completeStatuses+` ORDER BY started_at, id`)
	if err != nil {
		return nil, fmt.Errorf("pending runs: %w", err)
	}
	var runs []Run
	err = scanRows(rows, func() error {
		var run Run
		var started sql.NullString
		if err := rows.Scan(&run.RunID, &run.SnapshotID, &started, &run.Exchange, &run.Kind); err != nil {
			return err
		}
		run.StartedAt, err = parseTime(started)
		runs = append(runs, run)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pending runs: %w", err)
	}
	return runs, nil
}

// MarkDiffed records that diff has processed the runs; marking a run twice
// keeps the first time.
func (s *Store) MarkDiffed(ctx context.Context, runIDs ...int64) error {
	if s.w == nil {
		return fmt.Errorf("mark runs diffed: %w", errReadOnly)
	}
	if err := s.markDiffed(ctx, runIDs); err != nil {
		return fmt.Errorf("mark runs diffed: %w", err)
	}
	return nil
}

func (s *Store) markDiffed(ctx context.Context, runIDs []int64) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `UPDATE run_log SET diffed_at = COALESCE(diffed_at, ?) WHERE id = ?`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	now := timeValue(s.now())
	for _, id := range runIDs {
		res, err := stmt.ExecContext(ctx, now, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("no run %d", id)
		}
	}
	return tx.Commit()
}

// Freshness is how current one (exchange, kind) is, for the digest's
// freshness line.
type Freshness struct {
	Exchange      string
	Kind          collectors.Kind
	LastComplete  time.Time // start of the last complete run; zero if none
	LastRun       time.Time
	LastStatus    RunStatus
	FailuresSince int    // failed or incomplete runs after the last complete one
	LastError     string // of the newest of those; "" when the last run is complete
}

// Freshness returns one row per (exchange, kind) ever run, sorted.
func (s *Store) Freshness(ctx context.Context) ([]Freshness, error) {
	return s.FreshnessAt(ctx, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
}

// FreshnessAt is Freshness as it stood at until: only runs that started
// at or before it count, so a past day's digest shows that day's health.
func (s *Store) FreshnessAt(ctx context.Context, until time.Time) ([]Freshness, error) {
	out, err := s.freshness(ctx, bound(until))
	if err != nil {
		return nil, fmt.Errorf("freshness: %w", err)
	}
	return out, nil
}

func (s *Store) freshness(ctx context.Context, until string) ([]Freshness, error) {
	// One read transaction, so the rows agree with each other while a
	// collector keeps writing.
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT exchange, kind FROM run_log WHERE started_at <= ? ORDER BY exchange, kind`, until)
	if err != nil {
		return nil, err
	}
	var out []Freshness
	err = scanRows(rows, func() error {
		var f Freshness
		if err := rows.Scan(&f.Exchange, &f.Kind); err != nil {
			return err
		}
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		if err := streamFreshness(ctx, tx, &out[i], until); err != nil {
			return nil, fmt.Errorf("%s %s: %w", out[i].Exchange, out[i].Kind, err)
		}
	}
	return out, nil
}

func streamFreshness(ctx context.Context, tx *sql.Tx, f *Freshness, until string) error {
	var lastRun sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT started_at, status FROM run_log
		WHERE exchange = ? AND kind = ? AND started_at <= ? ORDER BY started_at DESC, id DESC LIMIT 1`,
		f.Exchange, string(f.Kind), until).Scan(&lastRun, &f.LastStatus)
	if err != nil {
		return err
	}
	if f.LastRun, err = parseTime(lastRun); err != nil {
		return err
	}
	var completeID int64
	var completeAt sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT id, started_at FROM run_log
		WHERE exchange = ? AND kind = ? AND `+completeStatuses+` AND started_at <= ? ORDER BY started_at DESC, id DESC LIMIT 1`,
		f.Exchange, string(f.Kind), until).Scan(&completeID, &completeAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		completeAt = sql.NullString{}
	case err != nil:
		return err
	}
	if f.LastComplete, err = parseTime(completeAt); err != nil {
		return err
	}
	// Runs after the last complete one are all failed or incomplete. A
	// missing complete run compares as NULL; COALESCE makes it "since ever".
	after := `exchange = ? AND kind = ? AND started_at <= ? AND (started_at > COALESCE(?, '') OR (started_at = ? AND id > ?))`
	args := []any{f.Exchange, string(f.Kind), until, completeAt, completeAt, completeID}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM run_log WHERE `+after, args...).Scan(&f.FailuresSince); err != nil {
		return err
	}
	if f.FailuresSince == 0 {
		return nil
	}
	var lastErr sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT error FROM run_log WHERE `+after+`
		ORDER BY started_at DESC, id DESC LIMIT 1`, args...).Scan(&lastErr); err != nil {
		return err
	}
	f.LastError = lastErr.String
	return nil
}

// scanRows calls scan for each row and closes rows, returning the first
// error of scan, iteration or close.
func scanRows(rows *sql.Rows, scan func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := scan(); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}
