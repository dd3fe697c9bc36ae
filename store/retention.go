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
	Days        int // (exchange, kind, day) steps committed
	RowsBefore  int // raw rows and stream samples examined
	RowsKept    int // rows left: one per symbol and hour, plus every settled rate
	SamplesGone int // stream samples removed
}

// Compact reduces raw funding and market observations made before the UTC
// day containing before to hourly rows: per symbol, the last observation
// of each hour, plus for funding every settled rate (the last observation
// before each change of next_funding_at, i.e. the rate observed at or just
// before the settlement). Sweep rows move from their snapshot into the
// compact tables; stream samples are thinned in place; backfilled
// settlements are kept whole. The newest complete snapshot of each
// exchange and kind is never touched, because diff compares against it.
//
// Each (exchange, kind, day) is one transaction, so readers keep working
// and an interrupted Compact resumes where it stopped; the views show the
// same columns before and after.
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
		for {
			step, more, err := s.compactDay(ctx, st, cutoff)
			if err != nil {
				return total, fmt.Errorf("compact %s %s: %w", st.exchange, st.kind, err)
			}
			if step.Days == 0 {
				break
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
	d := newDict(tx)
	if len(ids) > 0 {
		var err error
		if st.kind == collectors.KindFunding {
			out, err = compactFundingRows(ctx, tx, d, st.exchange, ids)
		} else {
			out, err = compactMarketRows(ctx, tx, d, st.exchange, ids)
		}
		if err != nil {
			return out, false, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO compaction (exchange, kind, through_id) VALUES (?, ?, ?)
			ON CONFLICT (exchange, kind) DO UPDATE SET through_id = excluded.through_id`,
			st.exchange, string(st.kind), ids[len(ids)-1]); err != nil {
			return out, false, err
		}
	}
	if st.kind == collectors.KindFunding {
		// Stream samples: every whole day before the cutoff not thinned
		// yet, one per call, the oldest first, after the sweeps' rows.
		if len(ids) == 0 {
			n, kept, err := thinStreamSamples(ctx, tx, st.exchange, cutoff)
			if err != nil {
				return out, false, err
			}
			out.RowsBefore += n
			out.RowsKept += kept
			out.SamplesGone += n - kept
		}
	}
	if len(ids) == 0 && out.RowsBefore == 0 {
		return Compacted{}, false, nil
	}
	out.Days = 1
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

func compactFundingRows(ctx context.Context, tx *sql.Tx, d *dict, exchange string, ids []int64) (Compacted, error) {
	var out Compacted
	in, args := idList(ids)
	rows, err := tx.QueryContext(ctx, `SELECT f.snapshot_id, f.symbol, f.unified, f.rate, f.interval_hours, f.cap, f.floor,
		f.next_funding_at, f.mark_price, COALESCE(f.observed_at, s.first_seen_at)
		FROM funding_rows f JOIN snapshots s ON s.id = f.snapshot_id
		WHERE f.snapshot_id IN (`+in+`) AND s.complete = 1 ORDER BY f.symbol, 10, f.snapshot_id`, args...)
	if err != nil {
		return out, err
	}
	type row struct {
		f    collectors.Funding
		snap int64
	}
	var all []row
	err = scanRows(rows, func() error {
		var r row
		var interval, fcap, floor, mark sql.NullFloat64
		var next, observed sql.NullString
		if err := rows.Scan(&r.snap, &r.f.Symbol, &r.f.Unified, &r.f.Rate, &interval, &fcap, &floor, &next, &mark, &observed); err != nil {
			return err
		}
		r.f.Exchange = exchange
		r.f.IntervalHours, r.f.Cap, r.f.Floor, r.f.MarkPrice = interval.Float64, fcap.Float64, floor.Float64, mark.Float64
		var err error
		if r.f.NextFundingAt, err = parseTime(next); err != nil {
			return err
		}
		r.f.ObservedAt, err = parseTime(observed)
		all = append(all, r)
		return err
	})
	if err != nil {
		return out, err
	}
	out.RowsBefore = len(all)
	err = eachSeries(len(all), func(i, j int) bool { return all[i].f.Symbol == all[j].f.Symbol }, func(start, end int) error {
		at, next := make([]time.Time, 0, end-start), make([]time.Time, 0, end-start)
		for _, r := range all[start:end] {
			at, next = append(at, r.f.ObservedAt), append(next, r.f.NextFundingAt)
		}
		for i, k := range keep(at, next) {
			if !k {
				continue
			}
			r := all[start+i]
			n, err := insertFundingSamples(ctx, tx, d, originSweep, r.snap, []collectors.Funding{r.f})
			if err != nil {
				return err
			}
			out.RowsKept += n
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM funding_rows WHERE snapshot_id IN (`+in+`)`, args...); err != nil {
		return out, err
	}
	return out, nil
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

// thinStreamSamples reduces one exchange's stream samples of the oldest
// day before cutoff not thinned yet. It returns how many samples that day
// had and how many it kept; 0, 0 when nothing is left to thin.
func thinStreamSamples(ctx context.Context, tx *sql.Tx, exchange string, cutoff time.Time) (int, int, error) {
	var oldest sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT MIN(p.observed_id) FROM series se JOIN funding_samples p ON p.series_id = se.id
		WHERE se.exchange = ? AND p.origin = ? AND p.observed_id >= COALESCE(
			(SELECT through_id FROM compaction WHERE exchange = se.exchange AND kind = 'stream'), 0)
		  AND p.observed_id < ?`,
		exchange, int(OriginStream), cutoff.UnixMilli()).Scan(&oldest)
	if err != nil || !oldest.Valid {
		return 0, 0, err
	}
	day := time.UnixMilli(oldest.Int64).UTC().Truncate(24 * time.Hour)
	if _, err := tx.ExecContext(ctx, `INSERT INTO compaction (exchange, kind, through_id) VALUES (?, 'stream', ?)
		ON CONFLICT (exchange, kind) DO UPDATE SET through_id = excluded.through_id`,
		exchange, day.Add(24*time.Hour).UnixMilli()); err != nil {
		return 0, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT p.series_id, p.observed_id, p.next_funding_id FROM funding_samples p
		JOIN series se ON se.id = p.series_id
		WHERE se.exchange = ? AND p.origin = ? AND p.observed_id >= ? AND p.observed_id < ?
		ORDER BY p.series_id, p.observed_id`, exchange, int(OriginStream), day.UnixMilli(), day.Add(24*time.Hour).UnixMilli())
	if err != nil {
		return 0, 0, err
	}
	type sample struct{ series, observed, next int64 }
	var all []sample
	err = scanRows(rows, func() error {
		var s sample
		var next sql.NullInt64
		err := rows.Scan(&s.series, &s.observed, &next)
		s.next = next.Int64
		all = append(all, s)
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	del, err := tx.PrepareContext(ctx, `DELETE FROM funding_samples WHERE series_id = ? AND observed_id = ? AND origin = ?`)
	if err != nil {
		return 0, 0, err
	}
	defer del.Close()
	kept := 0
	err = eachSeries(len(all), func(i, j int) bool { return all[i].series == all[j].series }, func(start, end int) error {
		at, next := make([]time.Time, 0, end-start), make([]time.Time, 0, end-start)
		for _, s := range all[start:end] {
			at, next = append(at, time.UnixMilli(s.observed)), append(next, time.UnixMilli(s.next))
		}
		for i, k := range keep(at, next) {
			if k {
				kept++
				continue
			}
			if _, err := del.ExecContext(ctx, all[start+i].series, all[start+i].observed, int(OriginStream)); err != nil {
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
