package store

import (
	"context"
	"reflect"
	"testing"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// TestBatchStatements checks that rows split into chunks of batchRows and
// powers of two round-trip, and that the statements are prepared once and
// then reused by later transactions.
func TestBatchStatements(t *testing.T) {
	s, _ := openTest(t)
	for _, tc := range []struct {
		exchange string
		rows     int
		prepared int // statements cached after the save
	}{
		{"binance", 451, 5}, // 200 + 200 + 32 + 16 + 2 + 1
		{"bybit", 451, 5},   // the same statements again
		{"okx", 3, 5},       // 2 + 1, both cached
	} {
		snap := snapshot(tc.exchange, collectors.KindFunding, tc.rows, t0)
		saved := mustSave(t, s, snap)
		got, err := s.Records(context.Background(), saved.SnapshotID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Funding, snap.Records.Funding) {
			t.Errorf("%s: %d rows stored, want %d as given", tc.exchange, len(got.Funding), tc.rows)
		}
		if n, missing := len(s.batches.stmts), len(s.batches.missing); n != tc.prepared || missing != 0 {
			t.Errorf("%s: %d statements cached and %d missing, want %d and none", tc.exchange, n, missing, tc.prepared)
		}
	}
}

func TestChunkRows(t *testing.T) {
	for left, want := range map[int]int{1: 1, 2: 2, 3: 2, 199: 128, 200: 200, 451: 200, 64: 64, 65: 64} {
		if got := chunkRows(left); got != want {
			t.Errorf("chunkRows(%d) = %d, want %d", left, got, want)
		}
	}
}
