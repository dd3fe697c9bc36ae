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
		return Saved{}, fmt.Errorf("save %s %s: %w", snap.Exchange, snap.Kind, err)
	}
	return saved, nil
}

func (s *Store) save(ctx context.Context, snap collectors.Snapshot) (Saved, error) {
	started := snap.StartedAt
	if started.IsZero() {
		started = s.now()
	}
	run := runRow{
		exchange: snap.Exchange, kind: string(snap.Kind),
		started: started, finished: started.Add(snap.Duration), durationMS: snap.Duration.Milliseconds(),
		items: snap.Records.Len(), requests: snap.Requests,
	}
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
		implausible := found && float64(n) < s.minRatio*float64(last.items)
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
			if saved.SnapshotID, err = insertSnapshot(ctx, tx, snap, started, sum, false); err != nil {
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
			if saved.SnapshotID, err = insertSnapshot(ctx, tx, snap, started, sum, true); err != nil {
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

func insertSnapshot(ctx context.Context, tx *sql.Tx, snap collectors.Snapshot, started time.Time, sum []byte, complete bool) (int64, error) {
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

func insertRecords(ctx context.Context, tx *sql.Tx, id int64, recs collectors.Records) error {
	if len(recs.Instruments) > 0 {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO instrument_rows
			(snapshot_id, symbol, unified, base, quote, settle, multiplier, contract_type, native_type, margin,
			 status, native_status, contract_size, tick_size, lot_size, min_qty, min_notional, max_leverage,
			 funding_interval_hours, funding_cap, funding_floor, listed_at, delivery_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, in := range recs.Instruments {
			if _, err := stmt.ExecContext(ctx, id, in.Symbol, in.Unified, in.Base, in.Quote, in.Settle,
				optional(in.Multiplier), in.ContractType, in.NativeType, in.Margin, string(in.Status), in.NativeStatus,
				optional(in.ContractSize), optional(in.TickSize), optional(in.LotSize), optional(in.MinQty),
				optional(in.MinNotional), optional(in.MaxLeverage), optional(in.FundingIntervalHours),
				optional(in.FundingCap), optional(in.FundingFloor), timeValue(in.ListedAt), timeValue(in.DeliveryAt),
			); err != nil {
				return fmt.Errorf("insert instrument %s: %w", in.Symbol, err)
			}
		}
	}
	if len(recs.Funding) > 0 {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO funding_rows
			(snapshot_id, symbol, unified, rate, interval_hours, cap, floor, next_funding_at, mark_price, observed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, f := range recs.Funding {
			if _, err := stmt.ExecContext(ctx, id, f.Symbol, f.Unified, f.Rate, optional(f.IntervalHours),
				optional(f.Cap), optional(f.Floor), timeValue(f.NextFundingAt), optional(f.MarkPrice), timeValue(f.ObservedAt),
			); err != nil {
				return fmt.Errorf("insert funding %s: %w", f.Symbol, err)
			}
		}
	}
	if len(recs.Market) > 0 {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO market_rows
			(snapshot_id, symbol, unified, last_price, volume_24h_usd, open_interest_usd, observed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, m := range recs.Market {
			if _, err := stmt.ExecContext(ctx, id, m.Symbol, m.Unified, optional(m.LastPrice), m.Volume24hUSD,
				optional(m.OpenInterestUSD), timeValue(m.ObservedAt),
			); err != nil {
				return fmt.Errorf("insert market stat %s: %w", m.Symbol, err)
			}
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
	check := func(table, exchange, symbol string) error {
		if exchange != snap.Exchange {
			return fmt.Errorf("%s record %s has exchange %q, not %q", table, symbol, exchange, snap.Exchange)
		}
		key := table + "\x00" + symbol
		if seen[key] {
			return fmt.Errorf("%s record %s appears twice", table, symbol)
		}
		seen[key] = true
		return nil
	}
	for _, in := range snap.Records.Instruments {
		if err := check("instrument", in.Exchange, in.Symbol); err != nil {
			return nil, err
		}
		h.str("i")
		h.str(in.Symbol, in.Unified, in.Base, in.Quote, in.Settle, in.ContractType, in.NativeType, in.Margin,
			string(in.Status), in.NativeStatus)
		h.num(in.Multiplier, in.ContractSize, in.TickSize, in.LotSize, in.MinQty, in.MinNotional, in.MaxLeverage,
			in.FundingIntervalHours, in.FundingCap, in.FundingFloor)
		h.time(in.ListedAt, in.DeliveryAt)
	}
	for _, f := range snap.Records.Funding {
		if err := check("funding", f.Exchange, f.Symbol); err != nil {
			return nil, err
		}
		h.str("f", f.Symbol, f.Unified)
		h.num(f.Rate, f.IntervalHours, f.Cap, f.Floor, f.MarkPrice)
		h.time(f.NextFundingAt)
	}
	for _, m := range snap.Records.Market {
		if err := check("market", m.Exchange, m.Symbol); err != nil {
			return nil, err
		}
		h.str("m", m.Symbol, m.Unified)
		h.num(m.LastPrice, m.Volume24hUSD, m.OpenInterestUSD)
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
