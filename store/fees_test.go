package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// feeSnapshot is a schedule of two tiers, a zero-fee symbol row and a
// manual tier with a maker rebate, as Pull sorts them.
func feeSnapshot(at time.Time, vip0Taker float64) collectors.Snapshot {
	row := func(tier, symbol, source string, maker, taker, vol float64) collectors.Fee {
		return collectors.Fee{Exchange: "bybit", Product: collectors.ProductUSDM, Tier: tier, Symbol: symbol,
			MakerRate: maker, TakerRate: taker, Min30dVolumeUSD: vol, Source: source, ObservedAt: at}
	}
	return collectors.Snapshot{Exchange: "bybit", Kind: collectors.KindFees, StartedAt: at, Duration: time.Second, Requests: 2,
		Records: collectors.Records{Fees: []collectors.Fee{
			row("MM1", "", collectors.FeeSourceManual, -0.00005, 0.0002, 1e9),
			row("VIP0", "", collectors.FeeSourcePage, 0.0002, vip0Taker, 0),
			row("VIP1", "", collectors.FeeSourcePage, 0.00018, 0.0004, 1e6),
			row("account", "PEPEUSDT", collectors.FeeSourceAPI, 0, 0, 0),
		}}}
}

func TestFeesStoredAndViewed(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	first := feeSnapshot(t0, 0.00055)
	id1 := mustSave(t, s, first).SnapshotID
	got, err := s.Records(ctx, id1)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, first.Records) {
		t.Errorf("round trip differs\n got %+v\nwant %+v", got.Fees, first.Records.Fees)
	}
	if saved := mustSave(t, s, feeSnapshot(t0.Add(time.Hour), 0.00055)); saved.Status != StatusUnchanged || saved.SnapshotID != id1 {
		t.Errorf("the same schedule an hour later: %+v, want unchanged snapshot %d", saved, id1)
	}
	id2 := mustSave(t, s, feeSnapshot(t0.Add(2*time.Hour), 0.00045)).SnapshotID
	mustSave(t, s, failed("bybit", collectors.KindFees, t0.Add(3*time.Hour),
		&collectors.Error{Kind: collectors.ErrMalformed, Msg: "bybit usdm fee page: no column headed \"maker\""}))

	latest := queryRows(t, s, `SELECT * FROM fees_latest ORDER BY tier`)
	want := [][]any{
		{"bybit", "usdm", "MM1", "", -0.00005, 0.0002, 1e9, 0.0, "manual", "2026-11-25T11:00:00.000Z"},
		{"bybit", "usdm", "VIP0", "", 0.0002, 0.00045, 0.0, 0.0, "page", "2026-11-25T11:00:00.000Z"},
		{"bybit", "usdm", "VIP1", "", 0.00018, 0.0004, 1e6, 0.0, "page", "2026-11-25T11:00:00.000Z"},
		{"bybit", "usdm", "account", "PEPEUSDT", 0.0, 0.0, 0.0, 0.0, "api", "2026-11-25T11:00:00.000Z"},
	}
	if !reflect.DeepEqual(latest, want) {
		t.Errorf("fees_latest after a failed pull must show the last complete schedule\n got %v\nwant %v", latest, want)
	}
	history := queryRows(t, s, `SELECT snapshot_id, taker_rate, observed_at FROM fees_history WHERE tier = 'VIP0' ORDER BY snapshot_id`)
	wantHistory := [][]any{{id1, 0.00055, "2026-11-25T09:00:00.000Z"}, {id2, 0.00045, "2026-11-25T11:00:00.000Z"}}
	if !reflect.DeepEqual(history, wantHistory) {
		t.Errorf("fees_history\n got %v\nwant %v", history, wantHistory)
	}
}
