package store

import (
	"context"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/diff"
)

// TestDetectionLag: an event's source time is stored, read back, shown in
// the changes view with its lag in seconds, and listed by Lags; an event
// without one has neither.
func TestDetectionLag(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	seen := time.Date(2026, 11, 25, 10, 0, 40, 500e6, time.UTC)
	in := []diff.Change{
		{ID: "a1", Exchange: "okx", Kind: "instruments", Type: diff.ListingNew, Symbol: "ZORA-USDT-SWAP", DetectedAt: seen,
			SourceAt: seen.Add(-40*time.Second - 500*time.Millisecond)},
		{ID: "b1", Exchange: "okx", Kind: "funding", Type: diff.FundingInterval, Symbol: "SOL-USDT-SWAP", DetectedAt: seen},
	}
	if _, err := s.SaveChanges(ctx, in, nil); err != nil {
		t.Fatal(err)
	}
	res, err := s.Query(ctx, `SELECT id, source_at, detection_lag_s FROM changes ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{"a1", "2026-11-25T10:00:00.000Z", 40.5}, {"b1", nil, nil}}
	for i, row := range res.Rows {
		for j := range row {
			if row[j] != want[i][j] {
				t.Errorf("row %d column %s = %#v, want %#v", i, res.Columns[j], row[j], want[i][j])
			}
		}
	}
	got, err := s.Changes(ctx, seen, seen.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[0].SourceAt.Equal(in[0].SourceAt) || !got[1].SourceAt.IsZero() {
		t.Errorf("read back: %+v", got)
	}
	lags, err := s.Lags(ctx, seen.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(lags) != 1 || lags[0].ID != "a1" || lags[0].Seconds() != 40.5 || lags[0].Kind != "instruments" {
		t.Errorf("lags: %+v", lags)
	}
	if lags, _ := s.Lags(ctx, seen.Add(time.Second)); len(lags) != 0 {
		t.Errorf("lags after the event: %+v", lags)
	}
}

// TestCheckWritable: a writable store passes, a read-only one says why not.
func TestCheckWritable(t *testing.T) {
	s, path := openTest(t)
	ctx := context.Background()
	if err := s.CheckWritable(ctx); err != nil {
		t.Fatal(err)
	}
	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := ro.CheckWritable(ctx); err == nil {
		t.Error("a read-only store passed the write check")
	}
}
