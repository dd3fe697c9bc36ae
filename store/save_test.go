package store

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

func TestSave(t *testing.T) {
	const ex = "binance"
	inst := collectors.KindInstruments
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * 5 * time.Minute) }
	changedTick := snapshot(ex, inst, 100, at(1))
	changedTick.Records.Instruments[7].TickSize = 0.0001
	laterObserved := snapshot(ex, collectors.KindFunding, 100, at(1))
	for i := range laterObserved.Records.Funding {
		laterObserved.Records.Funding[i].ObservedAt = at(1).Add(time.Second)
	}

	tests := []struct {
		name       string
		before     []collectors.Snapshot
		snap       collectors.Snapshot
		status     RunStatus
		reason     string
		errorKind  any // runs.error_kind
		sameAsLast bool
		noSnapshot bool
		complete   int64 // snapshots.complete of the result
	}{
		{name: "first", snap: snapshot(ex, inst, 100, at(0)), status: StatusNew, errorKind: nil, complete: 1},
		{
			name:   "same content",
			before: []collectors.Snapshot{snapshot(ex, inst, 100, at(0))},
			snap:   snapshot(ex, inst, 100, at(1)), status: StatusUnchanged, errorKind: nil, sameAsLast: true, complete: 1,
		},
		{
			name:   "only observed_at differs",
			before: []collectors.Snapshot{snapshot(ex, collectors.KindFunding, 100, at(0))},
			snap:   laterObserved, status: StatusUnchanged, errorKind: nil, sameAsLast: true, complete: 1,
		},
		{
			name:   "one tick size changed",
			before: []collectors.Snapshot{snapshot(ex, inst, 100, at(0))},
			snap:   changedTick, status: StatusNew, errorKind: nil, complete: 1,
		},
		{
			name:   "too few items",
			before: []collectors.Snapshot{snapshot(ex, inst, 500, at(0))},
			snap:   snapshot(ex, inst, 120, at(1)), status: StatusIncomplete,
			reason: "only 120 items, 24% of the last complete snapshot (500)", errorKind: "implausible", complete: 0,
		},
		{
			name:   "just above the ratio is plausible",
			before: []collectors.Snapshot{snapshot(ex, inst, 100, at(0))},
			snap:   snapshot(ex, inst, 51, at(1)), status: StatusNew, errorKind: nil, complete: 1,
		},
		{
			name: "the count compares with the last complete, not the last incomplete",
			before: []collectors.Snapshot{
				snapshot(ex, inst, 100, at(0)),
				snapshot(ex, inst, 10, at(1)),
			},
			snap: snapshot(ex, inst, 40, at(2)), status: StatusIncomplete,
			reason: "only 40 items, 40% of the last complete snapshot (100)", errorKind: "implausible", complete: 0,
		},
		{
			name: "unchanged after an incomplete one",
			before: []collectors.Snapshot{
				snapshot(ex, inst, 100, at(0)),
				snapshot(ex, inst, 10, at(1)),
			},
			snap: snapshot(ex, inst, 100, at(2)), status: StatusUnchanged, errorKind: nil, sameAsLast: true, complete: 1,
		},
		{
			name: "the same short answer a third time is believed",
			before: []collectors.Snapshot{
				snapshot(ex, inst, 100, at(0)),
				snapshot(ex, inst, 10, at(1)),
				snapshot(ex, inst, 10, at(2)),
			},
			snap: snapshot(ex, inst, 10, at(3)), status: StatusNew, errorKind: nil, complete: 1,
		},
		{
			name: "short answers that differ are not believed",
			before: []collectors.Snapshot{
				snapshot(ex, inst, 100, at(0)),
				snapshot(ex, inst, 11, at(1)),
				snapshot(ex, inst, 10, at(2)),
			},
			snap: snapshot(ex, inst, 10, at(3)), status: StatusIncomplete,
			reason: "only 10 items, 10% of the last complete snapshot (100)", errorKind: "implausible", complete: 0,
		},
		{
			name: "a failure in between restarts the count",
			before: []collectors.Snapshot{
				snapshot(ex, inst, 100, at(0)),
				snapshot(ex, inst, 10, at(1)),
				failed(ex, inst, at(2), errors.New("reset")),
				snapshot(ex, inst, 10, at(3)),
			},
			snap: snapshot(ex, inst, 10, at(4)), status: StatusIncomplete,
			reason: "only 10 items, 10% of the last complete snapshot (100)", errorKind: "implausible", complete: 0,
		},
		{
			name:   "rate limited",
			before: []collectors.Snapshot{snapshot(ex, inst, 100, at(0))},
			snap: failed(ex, inst, at(1), &collectors.Error{Kind: collectors.ErrRateLimited, Status: 429,
				Path: "/fapi/v1/exchangeInfo", RetryAfter: 30 * time.Second}),
			status: StatusFailed, reason: "/fapi/v1/exchangeInfo: rate_limited (HTTP 429), retry after 30s",
			errorKind: "rate_limited", noSnapshot: true,
		},
		{
			name: "plain error", snap: failed(ex, inst, at(0), errors.New("boom")),
			status: StatusFailed, reason: "boom", errorKind: "internal", noSnapshot: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openTest(t)
			var last Saved
			for _, b := range tt.before {
				if saved := mustSave(t, s, b); saved.Status.Complete() {
					last = saved
				}
			}
			got := mustSave(t, s, tt.snap)
			if got.Status != tt.status || got.Reason != tt.reason {
				t.Errorf("Save = %s %q, want %s %q", got.Status, got.Reason, tt.status, tt.reason)
			}
			if !tt.noSnapshot && tt.sameAsLast != (got.SnapshotID == last.SnapshotID) {
				t.Errorf("snapshot %d, last complete %d: sameAsLast should be %v", got.SnapshotID, last.SnapshotID, tt.sameAsLast)
			}
			if tt.noSnapshot != (got.SnapshotID == 0) {
				t.Errorf("snapshot id %d, want none: %v", got.SnapshotID, tt.noSnapshot)
			}
			run := queryRows(t, s, `SELECT status, error, error_kind, snapshot_id, items, requests, duration_ms,
				started_at, finished_at FROM runs WHERE id = ?`, got.RunID)
			wantErr := any(nil)
			if tt.reason != "" {
				wantErr = tt.reason
			}
			wantSnap := any(got.SnapshotID)
			if tt.noSnapshot {
				wantSnap = nil
			}
			dur := tt.snap.Duration.Milliseconds()
			want := []any{string(tt.status), wantErr, tt.errorKind, wantSnap, int64(tt.snap.Records.Len()),
				int64(tt.snap.Requests), dur, timeValue(tt.snap.StartedAt), timeValue(tt.snap.StartedAt.Add(tt.snap.Duration))}
			if !reflect.DeepEqual(run, [][]any{want}) {
				t.Errorf("run row\n got %v\nwant %v", run, [][]any{want})
			}
			if tt.noSnapshot {
				if rows := queryRows(t, s, `SELECT COUNT(*) FROM snapshots`); rows[0][0] != int64(len(tt.before)) {
					t.Errorf("a failed run stored a snapshot: %d snapshots", rows[0][0])
				}
				return
			}
			snapRow := queryRows(t, s, `SELECT complete, last_seen_at FROM snapshots WHERE id = ?`, got.SnapshotID)
			if want := []any{tt.complete, timeValue(tt.snap.StartedAt)}; !reflect.DeepEqual(snapRow[0], want) {
				t.Errorf("snapshot row %v, want %v", snapRow[0], want)
			}
			recs, err := s.Records(context.Background(), got.SnapshotID)
			if err != nil {
				t.Fatal(err)
			}
			if recs.Len() != tt.snap.Records.Len() {
				t.Errorf("snapshot %d holds %d records, want %d", got.SnapshotID, recs.Len(), tt.snap.Records.Len())
			}
		})
	}
}

func TestSaveRejectsBadRecords(t *testing.T) {
	tests := []struct {
		name string
		edit func(*collectors.Snapshot)
		want string
	}{
		{"other exchange", func(s *collectors.Snapshot) { s.Records.Instruments[1].Exchange = "okx" },
			`save binance instruments: instrument record C001USDT has exchange "okx", not "binance"`},
		{"duplicate symbol", func(s *collectors.Snapshot) { s.Records.Instruments[2].Symbol = "C001USDT" },
			"save binance instruments: instrument record C001USDT appears twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openTest(t)
			snap := snapshot("binance", collectors.KindInstruments, 5, t0)
			tt.edit(&snap)
			saved, err := s.Save(context.Background(), snap)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Save error %v, want %q", err, tt.want)
			}
			// Every attempt is a runs row: the failure is recorded, with no
			// snapshot, so the freshness table shows the feed unhealthy.
			rows := queryRows(t, s, `SELECT status, error_kind, error, snapshot_id FROM runs`)
			if len(rows) != 1 || rows[0][0] != "failed" || rows[0][1] != "store_failed" || rows[0][2] != tt.want || rows[0][3] != nil || saved.RunID == 0 {
				t.Errorf("a rejected save left runs %v (saved %+v)", rows, saved)
			}
			if n := queryRows(t, s, `SELECT COUNT(*) FROM snapshots`); n[0][0] != int64(0) {
				t.Errorf("a rejected save left %v snapshots", n[0][0])
			}
		})
	}
}

func TestRecordsRoundTrip(t *testing.T) {
	delivery := collectors.Instrument{
		Exchange: "okx", Symbol: "BTC-USD-261225", Unified: "BTC/USD:BTC", Base: "BTC", Quote: "USD", Settle: "BTC",
		Multiplier: 1, ContractType: collectors.Delivery, NativeType: "FUTURES", Margin: collectors.Inverse,
		Status: collectors.StatusPrelaunch, NativeStatus: "preopen", ContractSize: 100, TickSize: 0.1, LotSize: 1,
		MinQty: 1, MaxLeverage: 125, FundingFloor: -0.00375,
		ListedAt: time.Date(2026, 11, 1, 8, 0, 0, 123_000_000, time.UTC), DeliveryAt: time.Date(2026, 12, 25, 8, 0, 0, 0, time.UTC),
	}
	tests := []struct {
		name string
		snap collectors.Snapshot
	}{
		{"instruments", func() collectors.Snapshot {
			s := snapshot("okx", collectors.KindInstruments, 4, t0)
			s.Records.Instruments = append([]collectors.Instrument{delivery}, s.Records.Instruments...)
			return s
		}()},
		{"funding with a zero rate and zero times", func() collectors.Snapshot {
			s := snapshot("bybit", collectors.KindFunding, 8, t0.Add(1500*time.Millisecond))
			s.Records.Funding[3].NextFundingAt, s.Records.Funding[3].ObservedAt = time.Time{}, time.Time{}
			s.Records.Funding[3].IntervalHours, s.Records.Funding[3].MarkPrice = 0, 0
			return s
		}()},
		{"market", snapshot("binance", collectors.KindMarket, 6, t0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openTest(t)
			saved := mustSave(t, s, tt.snap)
			got, err := s.Records(context.Background(), saved.SnapshotID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.snap.Records) {
				t.Errorf("round trip differs\n got %+v\nwant %+v", got, tt.snap.Records)
			}
		})
	}
	t.Run("missing snapshot", func(t *testing.T) {
		s, _ := openTest(t)
		_, err := s.Records(context.Background(), 42)
		if err == nil || !strings.Contains(err.Error(), "records of snapshot 42: no such snapshot") {
			t.Errorf("error %v", err)
		}
	})
}
