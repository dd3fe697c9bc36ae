package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// Records returns the records of one snapshot exactly as Save received
// them, sorted by symbol, with times in UTC at millisecond precision.
func (s *Store) Records(ctx context.Context, snapshotID int64) (collectors.Records, error) {
	recs, err := s.records(ctx, snapshotID)
	if err != nil {
		return collectors.Records{}, fmt.Errorf("records of snapshot %d: %w", snapshotID, err)
	}
	return recs, nil
}

func (s *Store) records(ctx context.Context, id int64) (collectors.Records, error) {
	var recs collectors.Records
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return recs, err
	}
	defer tx.Rollback()
	var exchange string
	err = tx.QueryRowContext(ctx, `SELECT exchange FROM snapshots WHERE id = ?`, id).Scan(&exchange)
	if errors.Is(err, sql.ErrNoRows) {
		return recs, errors.New("no such snapshot")
	}
	if err != nil {
		return recs, err
	}

	rows, err := tx.QueryContext(ctx, `SELECT symbol, unified, base, quote, settle, multiplier, contract_type,
		native_type, margin, status, native_status, contract_size, tick_size, lot_size, min_qty, min_notional,
		max_leverage, funding_interval_hours, funding_cap, funding_floor, listed_at, delivery_at
		FROM instrument_rows WHERE snapshot_id = ? ORDER BY symbol`, id)
	if err != nil {
		return recs, err
	}
	err = scanRows(rows, func() error {
		in := collectors.Instrument{Exchange: exchange}
		var mult, size, tick, lot, minQty, minNotional, lev, interval, fcap, floor sql.NullFloat64
		var listed, delivery sql.NullString
		if err := rows.Scan(&in.Symbol, &in.Unified, &in.Base, &in.Quote, &in.Settle, &mult, &in.ContractType,
			&in.NativeType, &in.Margin, &in.Status, &in.NativeStatus, &size, &tick, &lot, &minQty, &minNotional,
			&lev, &interval, &fcap, &floor, &listed, &delivery); err != nil {
			return err
		}
		in.Multiplier, in.ContractSize, in.TickSize, in.LotSize = mult.Float64, size.Float64, tick.Float64, lot.Float64
		in.MinQty, in.MinNotional, in.MaxLeverage = minQty.Float64, minNotional.Float64, lev.Float64
		in.FundingIntervalHours, in.FundingCap, in.FundingFloor = interval.Float64, fcap.Float64, floor.Float64
		var err error
		if in.ListedAt, err = parseTime(listed); err != nil {
			return err
		}
		if in.DeliveryAt, err = parseTime(delivery); err != nil {
			return err
		}
		recs.Instruments = append(recs.Instruments, in)
		return nil
	})
	if err != nil {
		return recs, fmt.Errorf("instruments: %w", err)
	}

	rows, err = tx.QueryContext(ctx, `SELECT symbol, unified, rate, interval_hours, cap, floor, next_funding_at,
		mark_price, observed_at FROM funding_rows WHERE snapshot_id = ? ORDER BY symbol`, id)
	if err != nil {
		return recs, err
	}
	err = scanRows(rows, func() error {
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
		recs.Funding = append(recs.Funding, f)
		return nil
	})
	if err != nil {
		return recs, fmt.Errorf("funding: %w", err)
	}

	rows, err = tx.QueryContext(ctx, `SELECT symbol, unified, last_price, volume_24h_usd, open_interest_usd,
		observed_at FROM market_rows WHERE snapshot_id = ? ORDER BY symbol`, id)
	if err != nil {
		return recs, err
	}
	err = scanRows(rows, func() error {
		m, err := scanMarket(rows, exchange)
		recs.Market = append(recs.Market, m)
		return err
	})
	if err != nil {
		return recs, fmt.Errorf("market: %w", err)
	}
	return recs, nil
}

// scanMarket reads symbol, unified, last_price, volume_24h_usd,
// open_interest_usd, observed_at.
func scanMarket(rows *sql.Rows, exchange string) (collectors.MarketStat, error) {
	m := collectors.MarketStat{Exchange: exchange}
	var last, oi sql.NullFloat64
	var observed sql.NullString
	if err := rows.Scan(&m.Symbol, &m.Unified, &last, &m.Volume24hUSD, &oi, &observed); err != nil {
		return m, err
	}
	m.LastPrice, m.OpenInterestUSD = last.Float64, oi.Float64
	var err error
	m.ObservedAt, err = parseTime(observed)
	return m, err
}

// MarketSeries returns the market rows of the complete snapshots of one
// exchange observed by a run that started in [from, to), oldest snapshot
// first, each snapshot once even when several unchanged runs saw it, and at
// most one snapshot per every (the first in each span; every <= 0 keeps
// them all). Sampling keeps a week of 5-minute sweeps cheap to read: a
// trailing median needs dozens of points, not thousands.
func (s *Store) MarketSeries(ctx context.Context, exchange string, from, to time.Time, every time.Duration) ([]collectors.MarketStat, error) {
	ids, err := s.sampleSnapshots(ctx, exchange, collectors.KindMarket, from, to, every)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.r.QueryContext(ctx, `SELECT symbol, unified, last_price, volume_24h_usd,
		open_interest_usd, observed_at FROM market_rows
		WHERE snapshot_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)
		ORDER BY snapshot_id, symbol`, args...)
	if err != nil {
		return nil, fmt.Errorf("market series of %s: %w", exchange, err)
	}
	var out []collectors.MarketStat
	err = scanRows(rows, func() error {
		m, err := scanMarket(rows, exchange)
		out = append(out, m)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("market series of %s: %w", exchange, err)
	}
	return out, nil
}

// sampleSnapshots lists the complete snapshots first seen by a run in
// [from, to), at most one per every.
func (s *Store) sampleSnapshots(ctx context.Context, exchange string, kind collectors.Kind, from, to time.Time, every time.Duration) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT snapshot_id, MIN(started_at) FROM run_log
		WHERE exchange = ? AND kind = ? AND `+completeStatuses+` AND started_at >= ? AND started_at < ?
		GROUP BY snapshot_id ORDER BY 2, 1`,
		exchange, string(kind), bound(from), bound(to))
	if err != nil {
		return nil, fmt.Errorf("market series of %s: %w", exchange, err)
	}
	var ids []int64
	var next time.Time
	err = scanRows(rows, func() error {
		var id int64
		var started sql.NullString
		if err := rows.Scan(&id, &started); err != nil {
			return err
		}
		at, err := parseTime(started)
		if err != nil || at.Before(next) {
			return err
		}
		ids = append(ids, id)
		if every > 0 {
			next = at.Add(every)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("market series of %s: %w", exchange, err)
	}
	return ids, nil
}
