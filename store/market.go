package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

var marketStore = kindStore{
	kind:   collectors.KindMarket,
	noun:   "market",
	insert: insertMarket,
	read:   readMarket,
	hash: func(h *hasher, recs collectors.Records, check func(exchange, key string) error) error {
		for _, m := range recs.Market {
			if err := check(m.Exchange, m.Symbol); err != nil {
				return err
			}
			h.str("m", m.Symbol, m.Unified)
			h.num(m.LastPrice, m.Volume24hUSD, m.OpenInterestUSD)
		}
		return nil
	},
}

func insertMarket(ctx context.Context, tx writeTx, id int64, recs collectors.Records) error {
	ms := recs.Market
	err := insertBatch(ctx, tx, "market_rows", []string{"snapshot_id", "symbol", "unified", "last_price",
		"volume_24h_usd", "open_interest_usd", "observed_at"}, len(ms), func(i int) []any {
		m := ms[i]
		return []any{id, m.Symbol, m.Unified, optional(m.LastPrice), m.Volume24hUSD,
			optional(m.OpenInterestUSD), timeValue(m.ObservedAt)}
	})
	if err != nil {
		return fmt.Errorf("insert market stats: %w", err)
	}
	return nil
}

func readMarket(ctx context.Context, tx *sql.Tx, id int64, exchange string, recs *collectors.Records) error {
	rows, err := tx.QueryContext(ctx, `SELECT symbol, unified, last_price, volume_24h_usd, open_interest_usd,
		observed_at FROM market_rows WHERE snapshot_id = ? ORDER BY symbol`, id)
	if err != nil {
		return err
	}
	err = scanRows(rows, func() error {
		m, err := scanMarket(rows, exchange)
		recs.Market = append(recs.Market, m)
		return err
	})
	if err != nil {
		return fmt.Errorf("market: %w", err)
	}
	return nil
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
