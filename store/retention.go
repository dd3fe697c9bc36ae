package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// Compacted is what one Compact call did.
type Compacted struct {
	Days        int // (exchange, kind, day) reduced
	Folded      int // superseded sweeps' funding rows moved into the compact table
	RowsBefore  int // rows older than the raw window examined
	RowsKept    int // of those, rows left: one per symbol and hour, plus every settled rate
	SamplesGone int // stream samples and folded sweep rows removed
}

// Compact keeps the history small and quick to read. First it folds
// every superseded funding snapshot: its rows move from funding_rows,
// where one symbol's rows lie scattered among every other symbol's, into
// funding_samples, where they lie together in time order. Then it reduces
// raw funding and market observations made before the UTC day containing
// before to hourly rows: per symbol, the last observation of each hour,
// plus for funding every settled rate (the last observation before each
// change of next_funding_at, i.e. the rate observed at or just before the
// settlement). Stream samples and folded sweeps are thinned in place;
// backfilled settlements are kept whole. The newest complete snapshot of
// each exchange and kind is never touched, because diff compares against
// it.
//
// Each fold batch and each (exchange, kind, day) is one transaction, so
// readers keep working and an interrupted Compact resumes where it
// stopped; the views show the same rows and columns before and after
// folding, and Records reads a folded snapshot as it was saved.
func (s *Store) Compact(ctx context.Context, before time.Time) (Compacted, error) {
	var total Compacted
	if s.w == nil {
		return total, fmt.Errorf("compact: %w", errReadOnly)
	}
	cutoff := before.UTC().Truncate(24 * time.Hour)
	streams, err := s.compactStreams(ctx)
	if err != nil {
		return total, fmt.Errorf("compact: %w", err)
	}
	for _, st := range streams {
		if st.kind == collectors.KindFunding {
			n, err := s.fold(ctx, st.exchange)
			total.Folded += n
			if err != nil {
				return total, fmt.Errorf("compact %s funding: %w", st.exchange, err)
			}
		}
		for {
			step, more, err := s.compactDay(ctx, st, cutoff)
			if err != nil {
				return total, fmt.Errorf("compact %s %s: %w", st.exchange, st.kind, err)
			}
			total.Days += step.Days
			total.RowsBefore += step.RowsBefore
			total.RowsKept += step.RowsKept
			total.SamplesGone += step.SamplesGone
			if !more {
				break
			}
		}
	}
	return total, nil
}

// foldBatch is how many snapshots one fold transaction moves: a day of
// 5-minute sweeps in six transactions.
const foldBatch = 48

// fold moves the funding rows of every complete snapshot of exchange
// older than its newest complete one into funding_samples, and returns how
// many rows it moved. The newest stays where diff and instruments_latest
// read it quickest.
func (s *Store) fold(ctx context.Context, exchange string) (int, error) {
	total := 0
	for {
		n, more, err := s.foldSome(ctx, exchange)
		total += n
		if err != nil || !more {
			return total, err
		}
	}
}

// foldSome folds up to foldBatch snapshots in one transaction; more
// reports whether others may be waiting.
func (s *Store) foldSome(ctx context.Context, exchange string) (int, bool, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, false, err
	}
	defer tx.Rollback()
	var through, newest int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE((SELECT through_id FROM compaction WHERE exchange = ? AND kind = 'fold'), 0),
		COALESCE((SELECT MAX(id) FROM snapshots WHERE exchange = ? AND kind = 'funding' AND complete = 1), 0)`,
		exchange, exchange).Scan(&through, &newest); err != nil {
		return 0, false, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, first_seen_at FROM snapshots
		WHERE kind = 'funding' AND complete = 1 AND exchange = ? AND id > ? AND id < ? ORDER BY id LIMIT ?`,
		exchange, through, newest, foldBatch)
	if err != nil {
		return 0, false, err
	}
	type snap struct {
		id    int64
		first time.Time
	}
	var snaps []snap
	err = scanRows(rows, func() error {
		var sn snap
		var first sql.NullString
		if err := rows.Scan(&sn.id, &first); err != nil {
			return err
		}
		var err error
		sn.first, err = parseTime(first)
		snaps = append(snaps, sn)
		return err
	})
	if err != nil || len(snaps) == 0 {
		return 0, false, err
	}
	d := newDict(tx)
	moved := 0
	for _, sn := range snaps {
		fs, err := readFundingRows(ctx, tx, sn.id, exchange)
		if err != nil {
			return 0, false, err
		}
		var first, last time.Time
		for i := range fs {
			// As the views show it: a row without its own time was
			// observed when the snapshot was.
			if fs[i].ObservedAt.IsZero() {
				fs[i].ObservedAt = sn.first
			}
			if at := fs[i].ObservedAt; first.IsZero() || at.Before(first) {
				first = at
			}
			if at := fs[i].ObservedAt; at.After(last) {
				last = at
			}
		}
		n, err := insertFundingSamples(ctx, tx, d, originSweep, sn.id, fs)
		if err != nil {
			return 0, false, err
		}
		moved += n
		if _, err := tx.ExecContext(ctx, `INSERT INTO folded_snapshots (snapshot_id, first_observed, last_observed) VALUES (?, ?, ?)`,
			sn.id, bound(first), bound(last)); err != nil {
			return 0, false, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM funding_rows WHERE snapshot_id = ?`, sn.id); err != nil {
			return 0, false, err
		}
	}
	if err := setCompacted(ctx, tx, exchange, "fold", snaps[len(snaps)-1].id); err != nil {
		return 0, false, err
	}
	return moved, len(snaps) == foldBatch, tx.Commit()
}

// setCompacted records how far one compaction step has gone.
func setCompacted(ctx context.Context, tx *sql.Tx, exchange, step string, through int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO compaction (exchange, kind, through_id) VALUES (?, ?, ?)
		ON CONFLICT (exchange, kind) DO UPDATE SET through_id = excluded.through_id`, exchange, step, through)
	return err
}

type compactStream struct {
	exchange string
	kind     collectors.Kind
}

// compactStreams lists the (exchange, kind) pairs with funding or market
// snapshots or stream samples.
func (s *Store) compactStreams(ctx context.Context) ([]compactStream, error) {
	rows, err := s.w.QueryContext(ctx, `SELECT DISTINCT exchange, kind FROM snapshots WHERE kind IN ('funding', 'market')
		UNION SELECT DISTINCT exchange, 'funding' FROM series ORDER BY 1, 2`)
	if err != nil {
		return nil, err
	}
	var out []compactStream
	err = scanRows(rows, func() error {
		var c compactStream
		var kind string
		err := rows.Scan(&c.exchange, &kind)
		c.kind = collectors.Kind(kind)
		out = append(out, c)
		return err
	})
	return out, err
}

// compactDay compacts the oldest day not compacted yet of one stream, if
// it ends before cutoff; more reports whether another day may follow.
func (s *Store) compactDay(ctx context.Context, st compactStream, cutoff time.Time) (Compacted, bool, error) {
	var out Compacted
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return out, false, err
	}
	defer tx.Rollback()
	var through, newest int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE((SELECT through_id FROM compaction WHERE exchange = ? AND kind = ?), 0),
		COALESCE((SELECT MAX(id) FROM snapshots WHERE exchange = ? AND kind = ? AND complete = 1), 0)`,
		st.exchange, string(st.kind), st.exchange, string(st.kind)).Scan(&through, &newest); err != nil {
		return out, false, err
	}
	// The day of the oldest snapshot left, then every snapshot of that day.
	var first sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT MIN(first_seen_at) FROM snapshots
		WHERE exchange = ? AND kind = ? AND complete IN (0, 1) AND id > ? AND id < ? AND first_seen_at < ?`,
		st.exchange, string(st.kind), through, newest, bound(cutoff)).Scan(&first); err != nil {
		return out, false, err
	}
	var day time.Time
	if first.Valid {
		t, err := parseTime(first)
		if err != nil {
			return out, false, err
		}
		day = t.Truncate(24 * time.Hour)
	}
	var ids []int64
	if !day.IsZero() {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM snapshots
			WHERE exchange = ? AND kind = ? AND complete IN (0, 1) AND id > ? AND id < ? AND first_seen_at < ?
			ORDER BY id`, st.exchange, string(st.kind), through, newest, bound(day.Add(24*time.Hour)))
		if err != nil {
			return out, false, err
		}
		err = scanRows(rows, func() error {
			var id int64
			err := rows.Scan(&id)
			ids = append(ids, id)
			return err
		})
		if err != nil {
			return out, false, err
		}
	}
	if len(ids) > 0 {
		var err error
		if st.kind == collectors.KindFunding {
			// Fold moves complete snapshots (one that became superseded
			// since waits for the next Compact); incomplete ones, kept for
			// inspection until now, go.
			in, args := idList(ids)
			_, err = tx.ExecContext(ctx, `DELETE FROM funding_rows WHERE snapshot_id IN (
				SELECT id FROM snapshots WHERE id IN (`+in+`) AND complete = 0)`, args...)
		} else {
			out, err = compactMarketRows(ctx, tx, newDict(tx), st.exchange, ids)
		}
		if err != nil {
			return out, false, err
		}
		if err := setCompacted(ctx, tx, st.exchange, string(st.kind), ids[len(ids)-1]); err != nil {
			return out, false, err
		}
	}
	if st.kind == collectors.KindFunding && len(ids) == 0 {
		// Samples: every whole day before the cutoff not thinned yet, one
		// per call, the oldest first, folded sweeps before stream samples,
		// after the rows left in snapshots.
		for _, origin := range []Origin{originSweep, OriginStream} {
			n, kept, err := thinSamples(ctx, tx, st.exchange, origin, cutoff)
			if err != nil {
				return out, false, err
			}
			out.RowsBefore += n
			out.RowsKept += kept
			out.SamplesGone += n - kept
			if n > 0 {
				break
			}
		}
	}
	if len(ids) == 0 && out.RowsBefore == 0 {
		return Compacted{}, false, nil
	}
	// A funding day counts once, when its samples are thinned: its
	// snapshots' step only drops incomplete ones.
	if st.kind == collectors.KindMarket || len(ids) == 0 {
		out.Days = 1
	}
	return out, true, tx.Commit()
}

// keep marks, in a series of observations ordered by time, those
// compaction keeps: the last one of each hour, and the last before each
// change of settlement time (the settled rate).
func keep(at []time.Time, next []time.Time) []bool {
	out := make([]bool, len(at))
	for i := range at {
		last := i == len(at)-1
		out[i] = last || !at[i].Truncate(time.Hour).Equal(at[i+1].Truncate(time.Hour)) ||
			(next != nil && !next[i].Equal(next[i+1]))
	}
	return out
}

func compactMarketRows(ctx context.Context, tx *sql.Tx, d *dict, exchange string, ids []int64) (Compacted, error) {
	var out Compacted
	in, args := idList(ids)
	rows, err := tx.QueryContext(ctx, `SELECT m.snapshot_id, m.symbol, m.unified, m.last_price, m.volume_24h_usd,
		m.open_interest_usd, COALESCE(m.observed_at, s.first_seen_at)
		FROM market_rows m JOIN snapshots s ON s.id = m.snapshot_id
		WHERE m.snapshot_id IN (`+in+`) AND s.complete = 1 ORDER BY m.symbol, 7, m.snapshot_id`, args...)
	if err != nil {
		return out, err
	}
	type row struct {
		m    collectors.MarketStat
		snap int64
	}
	var all []row
	err = scanRows(rows, func() error {
		var r row
		var last, oi sql.NullFloat64
		var observed sql.NullString
		if err := rows.Scan(&r.snap, &r.m.Symbol, &r.m.Unified, &last, &r.m.Volume24hUSD, &oi, &observed); err != nil {
			return err
		}
		r.m.LastPrice, r.m.OpenInterestUSD = last.Float64, oi.Float64
		var err error
		r.m.ObservedAt, err = parseTime(observed)
		all = append(all, r)
		return err
	})
	if err != nil {
		return out, err
	}
	out.RowsBefore = len(all)
	stmt, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO market_samples
		(series_id, observed_id, last_price, volume_24h_usd, open_interest_usd, snapshot_id) VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return out, err
	}
	defer stmt.Close()
	err = eachSeries(len(all), func(i, j int) bool { return all[i].m.Symbol == all[j].m.Symbol }, func(start, end int) error {
		at := make([]time.Time, 0, end-start)
		for _, r := range all[start:end] {
			at = append(at, r.m.ObservedAt)
		}
		for i, k := range keep(at, nil) {
			if !k {
				continue
			}
			r := all[start+i]
			series, err := d.series(ctx, exchange, r.m.Symbol, r.m.Unified)
			if err != nil {
				return err
			}
			observed, err := d.instant(ctx, r.m.ObservedAt)
			if err != nil {
				return err
			}
			res, err := stmt.ExecContext(ctx, series, observed, optional(r.m.LastPrice), r.m.Volume24hUSD,
				optional(r.m.OpenInterestUSD), r.snap)
			if err != nil {
				return fmt.Errorf("market sample %s: %w", r.m.Symbol, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			out.RowsKept += int(n)
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM market_rows WHERE snapshot_id IN (`+in+`)`, args...); err != nil {
		return out, err
	}
	return out, nil
}

// thinSamples reduces one exchange's funding samples of one origin (folded
// sweeps or stream samples) of the oldest day before cutoff not thinned
// yet. It returns how many samples that day had and how many it kept;
// 0, 0 when nothing is left to thin.
func thinSamples(ctx context.Context, tx *sql.Tx, exchange string, origin Origin, cutoff time.Time) (int, int, error) {
	step := "sweep"
	if origin == OriginStream {
		step = "stream"
	}
	var through int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE((SELECT through_id FROM compaction WHERE exchange = ? AND kind = ?), 0)`,
		exchange, step).Scan(&through); err != nil {
		return 0, 0, err
	}
	var oldest sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT MIN(p.observed_at) FROM series se JOIN funding_samples p ON p.series_id = se.id
		WHERE se.exchange = ? AND p.origin = ? AND p.observed_at >= ? AND p.observed_at < ?`,
		exchange, int(origin), bound(time.UnixMilli(through)), bound(cutoff)).Scan(&oldest)
	if err != nil || !oldest.Valid {
		return 0, 0, err
	}
	t, err := parseTime(oldest)
	if err != nil {
		return 0, 0, err
	}
	day := t.Truncate(24 * time.Hour)
	if err := setCompacted(ctx, tx, exchange, step, day.Add(24*time.Hour).UnixMilli()); err != nil {
		return 0, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT p.series_id, p.observed_at, p.sweep_id, p.next_funding_id FROM series se
		JOIN funding_samples p ON p.series_id = se.id
		WHERE se.exchange = ? AND p.origin = ? AND p.observed_at >= ? AND p.observed_at < ?
		ORDER BY p.series_id, p.observed_at, p.sweep_id`, exchange, int(origin), bound(day), bound(day.Add(24*time.Hour)))
	if err != nil {
		return 0, 0, err
	}
	type sample struct {
		series, sweep  int64
		observed, next time.Time
	}
	var all []sample
	err = scanRows(rows, func() error {
		var s sample
		var observed sql.NullString
		var next sql.NullInt64
		if err := rows.Scan(&s.series, &observed, &s.sweep, &next); err != nil {
			return err
		}
		s.next = time.UnixMilli(next.Int64)
		var err error
		s.observed, err = parseTime(observed)
		all = append(all, s)
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	del, err := tx.PrepareContext(ctx, `DELETE FROM funding_samples
		WHERE series_id = ? AND observed_at = ? AND origin = ? AND sweep_id = ?`)
	if err != nil {
		return 0, 0, err
	}
	defer del.Close()
	kept := 0
	err = eachSeries(len(all), func(i, j int) bool { return all[i].series == all[j].series }, func(start, end int) error {
		at, next := make([]time.Time, 0, end-start), make([]time.Time, 0, end-start)
		for _, s := range all[start:end] {
			at, next = append(at, s.observed), append(next, s.next)
		}
		for i, k := range keep(at, next) {
			if k {
				kept++
				continue
			}
			s := all[start+i]
			if _, err := del.ExecContext(ctx, s.series, bound(s.observed), int(origin), s.sweep); err != nil {
				return err
			}
		}
		return nil
	})
	return len(all), kept, err
}

// eachSeries calls f for every run [start, end) of n sorted items that
// same says belong to one series.
func eachSeries(n int, same func(i, j int) bool, f func(start, end int) error) error {
	for start := 0; start < n; {
		end := start + 1
		for end < n && same(start, end) {
			end++
		}
		if err := f(start, end); err != nil {
			return err
		}
		start = end
	}
	return nil
}

func idList(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return "?" + strings.Repeat(", ?", len(ids)-1), args
}
