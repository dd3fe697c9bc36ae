package diff

import (
	"fmt"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

func TestListings(t *testing.T) {
	btc, eth := perp("BTCUSDT"), perp("ETHUSDT")
	quarterly := func(delivery time.Time) collectors.Instrument {
		return perp("BTCUSDT_260327", func(in *collectors.Instrument) {
			in.ContractType, in.DeliveryAt = collectors.Delivery, delivery
		})
	}
	delivering := func(in *collectors.Instrument) { in.DeliveryAt = at(2).Add(14 * 24 * time.Hour) }
	k3 := DefaultConfig()
	k3.DelistAfter = 3

	tests := []struct {
		name string
		cfg  Config
		runs []Snap
		want []string
	}{
		{name: "no runs", runs: nil},
		{name: "first snapshot is a baseline", runs: []Snap{snap(1, btc, eth)}},
		{name: "same snapshot twice", runs: []Snap{snap(1, btc), snap(1, btc)}},
		{
			name: "new trading symbol",
			runs: []Snap{snap(1, btc), snap(2, btc, eth)},
			want: []string{"listing.new binance ETHUSDT:  → trading (high)"},
		},
		{
			name: "new symbol with an unknown status is kept",
			runs: []Snap{snap(1, btc), snap(2, btc, perp("XYZUSDT", status(collectors.StatusUnknown, "HALF_OPEN")))},
			want: []string{"listing.new binance XYZUSDT:  → unknown (HALF_OPEN) (high)"},
		},
		{
			name: "new prelaunch symbol",
			runs: []Snap{snap(1, btc), snap(2, btc, perp("BIOUSDT", status(collectors.StatusPrelaunch, "PENDING_TRADING")))},
			want: []string{"listing.prelaunch binance BIOUSDT:  → prelaunch (medium)"},
		},
		{
			name: "a symbol first seen suspended is not a listing",
			runs: []Snap{snap(1, btc), snap(2, btc, perp("OLDUSDT", status(collectors.StatusSuspended, "CLOSE")))},
		},
		{
			name: "prelaunch opens for trading",
			runs: []Snap{snap(1, perp("BIOUSDT", status(collectors.StatusPrelaunch, "PENDING_TRADING"))), snap(2, perp("BIOUSDT"))},
			want: []string{"listing.status binance BIOUSDT: prelaunch → trading (medium)"},
		},
		{
			name: "prelaunch status newly seen",
			runs: []Snap{snap(1, perp("BIOUSDT", status(collectors.StatusSuspended, "X"))), snap(2, perp("BIOUSDT", status(collectors.StatusPrelaunch, "P")))},
			want: []string{"listing.prelaunch binance BIOUSDT: suspended → prelaunch (medium)"},
		},
		{
			name: "trading suspended",
			runs: []Snap{snap(1, btc, eth), snap(2, btc, perp("ETHUSDT", status(collectors.StatusSuspended, "BREAK")))},
			want: []string{"listing.status binance ETHUSDT: trading → suspended (medium)"},
		},
		{
			name: "explicit settling is a delisting at once",
			runs: []Snap{snap(1, btc, eth), snap(2, btc, perp("ETHUSDT", status(collectors.StatusSettling, "SETTLING")))},
			want: []string{"listing.delisted binance ETHUSDT: trading → settling (high)"},
		},
		{
			name: "settling to delisted is only a status change",
			runs: []Snap{snap(1, perp("ETHUSDT", status(collectors.StatusSettling, "SETTLING"))), snap(2, perp("ETHUSDT", status(collectors.StatusDelisted, "CLOSE")))},
			want: []string{"listing.status binance ETHUSDT: settling → delisted (medium)"},
		},
		{
			name: "native status change under unknown",
			runs: []Snap{snap(1, perp("XUSDT", status(collectors.StatusUnknown, "A"))), snap(2, perp("XUSDT", status(collectors.StatusUnknown, "B")))},
			want: []string{"listing.status binance XUSDT: unknown (A) → unknown (B) (medium)"},
		},
		{
			name: "unknown status unchanged, other symbol changes",
			runs: []Snap{snap(1, btc, perp("XUSDT", status(collectors.StatusUnknown, "A"))), snap(2, perp("BTCUSDT", leverage(75)), perp("XUSDT", status(collectors.StatusUnknown, "A")))},
			want: []string{"listing.param binance BTCUSDT.max_leverage: 50x → 75x (low)"},
		},
		{
			name: "parameters",
			runs: []Snap{snap(1, btc), snap(2, perp("BTCUSDT", func(in *collectors.Instrument) {
				in.MaxLeverage, in.TickSize, in.LotSize, in.MinQty, in.MinNotional, in.ContractSize = 125, 0.1, 0.002, 0.002, 10, 0.5
			}))},
			want: []string{
				"listing.param binance BTCUSDT.contract_size: 1 BTC → 0.5 BTC (low)",
				"listing.param binance BTCUSDT.lot_size: 0.001 → 0.002 (low)",
				"listing.param binance BTCUSDT.max_leverage: 50x → 125x (low)",
				"listing.param binance BTCUSDT.min_notional: 5 USDT → 10 USDT (low)",
				"listing.param binance BTCUSDT.min_qty: 0.001 → 0.002 (low)",
				"listing.param binance BTCUSDT.tick_size: 0.01 → 0.1 (low)",
			},
		},
		{
			name: "a parameter starting or stopping to be published is no change",
			runs: []Snap{snap(1, perp("BTCUSDT", func(in *collectors.Instrument) { in.MinNotional = 0 })), snap(2, perp("BTCUSDT", leverage(0)))},
		},
		{
			name: "delivery date on a perpetual announces a delisting",
			runs: []Snap{snap(1, btc, eth), snap(2, btc, perp("ETHUSDT", delivering))},
			want: []string{"listing.param binance ETHUSDT.delivery_at: none → 2026-03-15 02:00 UTC (high)"},
		},
		{
			name: "far-future placeholder delivery date is ignored",
			runs: []Snap{snap(1, btc), snap(2, perp("BTCUSDT", func(in *collectors.Instrument) {
				in.DeliveryAt = time.Date(2100, 12, 25, 8, 0, 0, 0, time.UTC)
			}))},
		},
		{
			name: "quarterly settling at its delivery date is no delisting",
			runs: []Snap{snap(1, btc, quarterly(at(2).Add(time.Hour))), snap(2, btc, perp("BTCUSDT_260327", status(collectors.StatusSettling, "DELIVERING"), func(in *collectors.Instrument) {
				in.ContractType, in.DeliveryAt = collectors.Delivery, at(2).Add(time.Hour)
			}))},
		},
		{
			name: "quarterly gone after its delivery date is no delisting",
			runs: []Snap{snap(1, btc, quarterly(at(2))), snap(2, btc), snap(3, btc)},
		},
		{
			name: "quarterly gone a month early is a delisting",
			runs: []Snap{snap(1, btc, quarterly(at(3).AddDate(0, 1, 0))), snap(2, btc), snap(3, btc)},
			want: []string{"listing.delisted binance BTCUSDT_260327: trading → removed (absent from 2 runs) (high)"},
		},
		{
			name: "absent once is not a delisting",
			runs: []Snap{snap(1, btc, eth), snap(2, btc)},
		},
		{
			name: "back after one absence is not new",
			runs: []Snap{snap(1, btc, eth), snap(2, btc), snap(3, btc, eth)},
		},
		{
			name: "back after one absence compares with its last appearance",
			runs: []Snap{snap(1, btc, eth), snap(2, btc), snap(3, btc, perp("ETHUSDT", leverage(100)))},
			want: []string{"listing.param binance ETHUSDT.max_leverage: 50x → 100x (low)"},
		},
		{
			name: "absent twice is a delisting",
			runs: []Snap{snap(1, btc, eth), snap(2, btc), snap(3, btc)},
			want: []string{"listing.delisted binance ETHUSDT: trading → removed (absent from 2 runs) (high)"},
		},
		{
			name: "absent from two runs of one unchanged snapshot is a delisting",
			runs: []Snap{snap(1, btc, eth), snap(2, btc), snap(2, btc)},
			want: []string{"listing.delisted binance ETHUSDT: trading → removed (absent from 2 runs) (high)"},
		},
		{
			name: "delisting fires once: not again on the next unchanged run",
			runs: []Snap{snap(2, btc), snap(3, btc), snap(3, btc)},
		},
		{
			name: "delisting fires once: not again on the next changed run",
			runs: []Snap{snap(2, btc), snap(3, btc), snap(4, btc)},
		},
		{
			name: "back after a delisting is new again",
			runs: []Snap{snap(2, btc), snap(3, btc), snap(4, btc, eth)},
			want: []string{"listing.new binance ETHUSDT:  → trading (high)"},
		},
		{
			name: "explicitly delisted then gone is not reported twice",
			runs: []Snap{snap(1, btc, perp("ETHUSDT", status(collectors.StatusDelisted, "CLOSE"))), snap(2, btc), snap(3, btc)},
		},
		{
			name: "unknown status is kept, never read as a disappearance",
			runs: []Snap{snap(1, btc, perp("XUSDT", status(collectors.StatusUnknown, "A"))), snap(2, btc, perp("XUSDT", status(collectors.StatusUnknown, "A"))), snap(3, btc, perp("XUSDT", status(collectors.StatusUnknown, "A")))},
		},
		{
			name: "K=3: absent twice is not yet a delisting",
			cfg:  k3,
			runs: []Snap{snap(1, btc, eth), snap(2, btc), snap(3, btc)},
		},
		{
			name: "K=3: absent three times is a delisting",
			cfg:  k3,
			runs: []Snap{snap(1, btc, eth), snap(2, btc), snap(3, btc), snap(4, btc)},
			want: []string{"listing.delisted binance ETHUSDT: trading → removed (absent from 3 runs) (high)"},
		},
		{
			name: "sorted by severity, then type and symbol",
			runs: []Snap{snap(1, btc, eth, perp("SOLUSDT")), snap(2, perp("BTCUSDT", leverage(20)), perp("ETHUSDT", status(collectors.StatusSuspended, "BREAK")), perp("SOLUSDT"), perp("AAAUSDT"), perp("ZZZUSDT"))},
			want: []string{
				"listing.new binance AAAUSDT:  → trading (high)",
				"listing.new binance ZZZUSDT:  → trading (high)",
				"listing.status binance ETHUSDT: trading → suspended (medium)",
				"listing.param binance BTCUSDT.max_leverage: 50x → 20x (low)",
			},
		},
		{
			name: "severity override",
			cfg:  Config{Severities: map[Type]Severity{ListingNew: Medium, ListingParam: Medium}},
			runs: []Snap{snap(1, btc), snap(2, perp("BTCUSDT", delivering), eth)},
			want: []string{
				"listing.new binance ETHUSDT:  → trading (medium)",
				"listing.param binance BTCUSDT.delivery_at: none → 2026-03-15 02:00 UTC (medium)",
			},
		},
		{
			name: "ignored type and symbol",
			cfg:  Config{Ignore: []Ignore{{Type: ListingParam}, {Symbol: "*/USDC:*"}, {Exchange: "binance", Symbol: "ZZZ*"}}},
			runs: []Snap{snap(1, btc), snap(2, perp("BTCUSDT", leverage(20)), perp("BTCUSDC", func(in *collectors.Instrument) { in.Unified = "BTC/USDC:USDC" }), perp("ZZZUSDT"), eth)},
			want: []string{"listing.new binance ETHUSDT:  → trading (high)"},
		},
		{
			name: "ignored exchange",
			cfg:  Config{Ignore: []Ignore{{Exchange: "Binance"}}},
			runs: []Snap{snap(1, btc), snap(2, btc, eth)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Listings(tt.cfg, "binance", tt.runs, nil)
			checkSummary(t, got, tt.want)
			if len(tt.runs) > 0 {
				checkCommon(t, got, tt.runs[len(tt.runs)-1])
			}
			for _, c := range got {
				if c.Kind != collectors.KindInstruments {
					t.Errorf("%s: kind %q, want instruments", c.Type, c.Kind)
				}
			}
		})
	}
}

func TestListingsEvidence(t *testing.T) {
	got := Listings(DefaultConfig(), "binance", []Snap{
		snap(1, perp("BTCUSDT"), perp("ETHUSDT")),
		snap(2, perp("BTCUSDT", leverage(75)), perp("ETHUSDT", func(in *collectors.Instrument) { in.DeliveryAt = at(2).Add(36 * time.Hour) })),
	}, nil)
	want := map[string]map[string]float64{
		"max_leverage": {"old": 50, "new": 75},
		"delivery_at":  {"delivery_at_unix": float64(at(2).Add(36 * time.Hour).Unix()), "days_to_delivery": 1.5},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d changes, want %d: %q", len(got), len(want), summary(got))
	}
	for _, c := range got {
		for k, v := range want[c.Field] {
			if c.Evidence[k] != v {
				t.Errorf("%s evidence %s = %v, want %v", c.Field, k, c.Evidence[k], v)
			}
		}
		if c.SnapshotFrom != 1 {
			t.Errorf("%s: SnapshotFrom %d, want 1", c.Field, c.SnapshotFrom)
		}
	}
}

// TestListingsIDs checks that re-running gives the same IDs (so the store
// never duplicates) and that the same change found in another snapshot
// gets another ID.
func TestListingsIDs(t *testing.T) {
	run := func(nextID int64) []Change {
		return Listings(DefaultConfig(), "binance", []Snap{snap(1, perp("BTCUSDT")), snap(nextID, perp("BTCUSDT"), perp("ETHUSDT"))}, nil)
	}
	a, b, other := run(2), run(2), run(3)
	if len(a) != 1 || len(b) != 1 || len(other) != 1 {
		t.Fatalf("want one change each, got %d, %d, %d", len(a), len(b), len(other))
	}
	if a[0].ID != b[0].ID {
		t.Errorf("re-run changed the ID: %s then %s", a[0].ID, b[0].ID)
	}
	if a[0].ID == other[0].ID {
		t.Errorf("snapshots 2 and 3 gave the same ID %s", a[0].ID)
	}
}

// listing makes a run of n perpetuals named C0..C{n-1}, plus extra.
func listing(id int64, n int, extra ...string) Snap {
	var ins []collectors.Instrument
	for i := range n {
		ins = append(ins, perp(fmt.Sprintf("C%02dUSDT", i)))
	}
	for _, s := range extra {
		ins = append(ins, perp(s))
	}
	return snap(id, ins...)
}

// TestShortAnswerIsNotAMassDelisting: half the list vanishing at once is
// a short answer until it lasts MassDelistAfter runs; a symbol the same
// sweep's funding still quotes is never gone; and the list coming back
// brings no false listing.new.
func TestShortAnswerIsNotAMassDelisting(t *testing.T) {
	cfg := DefaultConfig()
	full, half := 32, 16
	var runs []Snap
	add := func(s Snap) []Change {
		runs = append(runs, s)
		if w := cfg.ListingWindow(); len(runs) > w {
			runs = runs[len(runs)-w:]
		}
		return Listings(cfg, "okx", runs, nil)
	}
	add(listing(1, full))
	for id := int64(2); id <= 3; id++ {
		if got := add(listing(id, half)); len(got) != 0 {
			t.Fatalf("run %d: a short answer fired %q", id, summary(got))
		}
	}
	if got := add(listing(4, full)); len(got) != 0 {
		t.Fatalf("the full list coming back fired %q", summary(got))
	}

	// A real mass delisting: still reported, once, after MassDelistAfter runs.
	runs = nil
	add(listing(10, full))
	fired := 0
	for id := int64(11); id < 11+int64(cfg.MassDelistAfter)+2; id++ {
		got := add(listing(id, half))
		if len(got) > 0 && id != 10+int64(cfg.MassDelistAfter) {
			t.Errorf("run %d fired %d events, want them only at run %d", id, len(got), 10+cfg.MassDelistAfter)
		}
		fired += len(got)
	}
	if fired != full-half {
		t.Errorf("a lasting mass delisting fired %d events, want %d", fired, full-half)
	}

	// Corroboration: a symbol funding still lists is not delisted.
	runs = []Snap{listing(20, 4, "KEEPUSDT", "GONEUSDT"), listing(21, 4), listing(22, 4)}
	got := Listings(cfg, "okx", runs, map[string]bool{"KEEPUSDT": true})
	if len(got) != 1 || got[0].Symbol != "GONEUSDT" {
		t.Errorf("want only GONEUSDT delisted, got %q", summary(got))
	}
}
