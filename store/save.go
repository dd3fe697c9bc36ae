package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"math"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// RunStatus is the outcome of one collector run as stored.
type RunStatus string

// Run outcomes. Only new and unchanged runs are complete: diff and the views
// see nothing else.
const (
	StatusNew        RunStatus = "new"        // new content stored
	StatusUnchanged  RunStatus = "unchanged"  // same content as the last complete snapshot; no rows duplicated
	StatusIncomplete RunStatus = "incomplete" // implausibly few items; kept for inspection only
	StatusFailed     RunStatus = "failed"     // the pull failed; no records stored
)

// Complete reports whether a run with this status produced a complete
// snapshot.
func (s RunStatus) Complete() bool { return s == StatusNew || s == StatusUnchanged }

// Saved is what Save stored.
type Saved struct {
	RunID      int64
	SnapshotID int64 // 0 for a failed run
	Status     RunStatus
	Reason     string // why the run is incomplete or failed
}

// lastSnapshot is the newest complete snapshot of one (exchange, kind).
type lastSnapshot struct {
	id    int64
	items int
	hash  []byte
}

// Save stores one pull in one transaction: always a run row, and the
// records unless the pull failed or its content equals the last complete
// snapshot's. A pull with implausibly few items is kept as an incomplete
// snapshot, so a half-answered API never looks like mass delistings.
func (s *Store) Save(ctx context.Context, snap collectors.Snapshot) (Saved, error) {
	if s.w == nil {
		return Saved{}, fmt.Errorf("save %s %s: %w", snap.Exchange, snap.Kind, errReadOnly)
	}
	saved, err := s.save(ctx, snap)
	if err != nil {
		// Every attempt is a runs row: a pull that answered but could not
		// be stored is recorded as failed, with its own kind, in a
		// transaction of its own that a cancelled caller cannot stop.
		err = fmt.Errorf("save %s %s: %w", snap.Exchange, snap.Kind, err)
		failed := Saved{Status: StatusFailed, Reason: err.Error()}
		run := newRunRow(snap, s.now())
		run.status, run.errText, run.errKind = failed.Status, failed.Reason, string(collectors.ErrStore)
		if id, rerr := s.insertRunAlone(context.WithoutCancel(ctx), run); rerr == nil {
			failed.RunID = id
			return failed, err
		}
		return Saved{}, err
	}
	return saved, nil
}

// insertRunAlone records one run in a transaction of its own.
func (s *Store) insertRunAlone(ctx context.Context, run runRow) (int64, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	id, err := insertRun(ctx, tx, run)
	if err != nil {
		return 0, err
	}
	return id, tx.Commit()
}

// newRunRow is the run row of a pull, before its outcome is known.
func newRunRow(snap collectors.Snapshot, now time.Time) runRow {
	started := snap.StartedAt
	if started.IsZero() {
		started = now
	}
	return runRow{
		exchange: snap.Exchange, kind: string(snap.Kind),
		started: started, finished: started.Add(snap.Duration), durationMS: snap.Duration.Milliseconds(),
		items: snap.Records.Len(), requests: snap.Requests,
	}
}

func (s *Store) save(ctx context.Context, snap collectors.Snapshot) (Saved, error) {
	run := newRunRow(snap, s.now())
	started := run.started
	var sum []byte
	if snap.Err == nil {
		var err error
		if sum, err = contentHash(snap); err != nil {
			return Saved{}, err
		}
	}

	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return Saved{}, err
	}
	defer tx.Rollback()

	var saved Saved
	switch {
	case snap.Err != nil:
		saved = Saved{Status: StatusFailed, Reason: snap.Err.Error()}
		run.errKind = string(collectors.KindOf(snap.Err))
	default:
		last, found, err := lastComplete(ctx, tx, snap.Exchange, snap.Kind)
		if err != nil {
			return Saved{}, err
		}
		n := snap.Records.Len()
		// A feed's pull holds only what is new: fewer items is no removal.
		implausible := found && !snap.Kind.Feed() && last.items > 0 && float64(n) <= s.minRatio*float64(last.items)
		if implausible {
			// The same short answer several times in a row is the exchange's
			// new truth (a mass delisting), not a glitch: believe it, or
			// every later pull would be kept aside forever.
			repeated, err := repeatedIncomplete(ctx, tx, snap.Exchange, snap.Kind, sum)
			if err != nil {
				return Saved{}, err
			}
			implausible = repeated < believeAfter-1
		}
		switch {
		case implausible:
			saved.Status = StatusIncomplete
			saved.Reason = fmt.Sprintf("only %d items, %.0f%% of the last complete snapshot (%d)",
				n, 100*float64(n)/float64(last.items), last.items)
			run.errKind = string(collectors.ErrImplausible)
			if saved.SnapshotID, err = insertSnapshot(ctx, writeTx{tx, s.batches}, snap, started, sum, false); err != nil {
				return Saved{}, err
			}
		case found && bytes.Equal(sum, last.hash):
			saved.Status = StatusUnchanged
			saved.SnapshotID = last.id
			if _, err := tx.ExecContext(ctx, `UPDATE snapshots SET last_seen_at = ? WHERE id = ?`,
				timeValue(started), last.id); err != nil {
				return Saved{}, err
			}
		default:
			saved.Status = StatusNew
			if saved.SnapshotID, err = insertSnapshot(ctx, writeTx{tx, s.batches}, snap, started, sum, true); err != nil {
				return Saved{}, err
			}
		}
	}
	run.status, run.errText, run.snapshotID = saved.Status, saved.Reason, saved.SnapshotID
	if saved.RunID, err = insertRun(ctx, tx, run); err != nil {
		return Saved{}, err
	}
	if err := tx.Commit(); err != nil {
		return Saved{}, err
	}
	s.batches.prepare(ctx, s.w) // the writer is free again
	return saved, nil
}

type runRow struct {
	exchange, kind    string
	started, finished time.Time
	durationMS        int64
	status            RunStatus
	items, requests   int
	errText, errKind  string
	snapshotID        int64
}

func insertRun(ctx context.Context, tx *sql.Tx, r runRow) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO run_log
		(exchange, kind, started_at, finished_at, status, items, requests, error, error_kind, duration_ms, snapshot_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.exchange, r.kind, timeValue(r.started), timeValue(r.finished), string(r.status), r.items, r.requests,
		nullString(r.errText), nullString(r.errKind), r.durationMS, nullID(r.snapshotID))
	if err != nil {
		return 0, fmt.Errorf("insert run: %w", err)
	}
	return res.LastInsertId()
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// believeAfter is how many identical implausible pulls in a row are taken
// as complete.
const believeAfter = 3

// repeatedIncomplete counts the stream's latest runs that were kept aside
// as implausible with exactly this content, stopping at the first other.
func repeatedIncomplete(ctx context.Context, tx *sql.Tx, exchange string, kind collectors.Kind, sum []byte) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT r.status, s.content_hash FROM run_log r
		LEFT JOIN snapshots s ON s.id = r.snapshot_id
		WHERE r.exchange = ? AND r.kind = ? ORDER BY r.started_at DESC, r.id DESC LIMIT ?`,
		exchange, string(kind), believeAfter-1)
	if err != nil {
		return 0, fmt.Errorf("recent runs: %w", err)
	}
	n, interrupted := 0, false
	err = scanRows(rows, func() error {
		var status RunStatus
		var hash []byte
		if err := rows.Scan(&status, &hash); err != nil {
			return err
		}
		if interrupted = interrupted || status != StatusIncomplete || !bytes.Equal(hash, sum); !interrupted {
			n++
		}
		return nil
	})
	return n, err
}

func lastComplete(ctx context.Context, tx *sql.Tx, exchange string, kind collectors.Kind) (lastSnapshot, bool, error) {
	var last lastSnapshot
	err := tx.QueryRowContext(ctx, `SELECT id, items, content_hash FROM snapshots
		WHERE exchange = ? AND kind = ? AND complete = 1 ORDER BY id DESC LIMIT 1`,
		exchange, string(kind)).Scan(&last.id, &last.items, &last.hash)
	if errors.Is(err, sql.ErrNoRows) {
		return last, false, nil
	}
	if err != nil {
		return last, false, fmt.Errorf("find the last complete snapshot: %w", err)
	}
	return last, true, nil
}

func insertSnapshot(ctx context.Context, tx writeTx, snap collectors.Snapshot, started time.Time, sum []byte, complete bool) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO snapshots
		(exchange, kind, complete, items, content_hash, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		snap.Exchange, string(snap.Kind), complete, snap.Records.Len(), sum, timeValue(started), timeValue(started))
	if err != nil {
		return 0, fmt.Errorf("insert snapshot: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if err := insertRecords(ctx, tx, id, snap.Records); err != nil {
		return 0, err
	}
	return id, nil
}

func insertRecords(ctx context.Context, tx writeTx, id int64, recs collectors.Records) error {
	for _, k := range kindStores {
		if err := k.insert(ctx, tx, id, recs); err != nil {
			return err
		}
	}
	return nil
}

// contentHash is a sha256 over the records as they will be stored (times
// at millisecond precision), without ObservedAt: a re-fetch of the same
// listings at a later moment is the same content. It also rejects records
// the tables cannot hold, before anything is written.
func contentHash(snap collectors.Snapshot) ([]byte, error) {
	h := hasher{h: sha256.New()}
	seen := make(map[string]bool, snap.Records.Len())
	for _, k := range kindStores {
		check := func(exchange, key string) error {
			if exchange != snap.Exchange {
				return fmt.Errorf("%s record %s has exchange %q, not %q", k.noun, key, exchange, snap.Exchange)
			}
			if seen[string(k.kind)+"\x00"+key] {
				return fmt.Errorf("%s record %s appears twice", k.noun, key)
			}
			seen[string(k.kind)+"\x00"+key] = true
			return nil
		}
		if err := k.hash(&h, snap.Records, check); err != nil {
			return nil, err
		}
	}
	return h.h.Sum(nil), nil
}

// hasher writes length-prefixed fields so that no two different records
// encode alike.
type hasher struct {
	h   hash.Hash
	buf [8]byte
}

func (h *hasher) u64(v uint64) {
	binary.BigEndian.PutUint64(h.buf[:], v)
	h.h.Write(h.buf[:])
}

func (h *hasher) str(ss ...string) {
	for _, s := range ss {
		h.u64(uint64(len(s)))
		h.h.Write([]byte(s))
	}
}

func (h *hasher) num(fs ...float64) {
	for _, f := range fs {
		h.u64(math.Float64bits(f))
	}
}

func (h *hasher) time(ts ...time.Time) {
	for _, t := range ts {
		if t.IsZero() {
			h.u64(0)
			continue
		}
		h.u64(uint64(t.UnixMilli()))
	}
}
