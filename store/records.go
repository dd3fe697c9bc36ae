package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// Records returns the records of one snapshot exactly as Save received
// them, sorted by symbol, with times in UTC at millisecond precision; a
// funding row saved without its own time reads back, once Compact has
// folded its snapshot, with the snapshot's time, as funding_history shows
// it.
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
	for _, k := range kindStores {
		if err := k.read(ctx, tx, id, exchange, &recs); err != nil {
			return collectors.Records{}, err
		}
	}
	return recs, nil
}
