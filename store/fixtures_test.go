package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// t0 is the fixtures' first sweep.
var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// fakeClock is a settable clock for Options.Now.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

func openTest(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rivalwatch.db")
	clock := &fakeClock{now: t0.Add(time.Hour)}
	s, err := Open(context.Background(), path, Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s, path
}

func mustSave(t testing.TB, s *Store, snap collectors.Snapshot) Saved {
	t.Helper()
	saved, err := s.Save(context.Background(), snap)
	if err != nil {
		t.Fatal(err)
	}
	return saved
}

// instruments builds n linear perpetuals; unpublished fields stay zero on
// every third one so NULL handling is exercised.
func instruments(exchange string, n int) []collectors.Instrument {
	out := make([]collectors.Instrument, n)
	for i := range out {
		base := fmt.Sprintf("C%03d", i)
		out[i] = collectors.Instrument{
			Exchange: exchange, Symbol: base + "USDT", Unified: collectors.Unified(base, "USDT", "USDT"),
			Base: base, Quote: "USDT", Settle: "USDT", Multiplier: 1,
			ContractType: collectors.Perpetual, NativeType: "PERPETUAL", Margin: collectors.Linear,
			Status: collectors.StatusTrading, NativeStatus: "TRADING",
			ContractSize: 1, TickSize: 0.001, LotSize: 0.1, MinQty: 0.1, MinNotional: 5, MaxLeverage: 50,
			ListedAt: t0.AddDate(0, -1, -i),
		}
		if i%3 == 0 {
			out[i].MaxLeverage, out[i].MinNotional = 0, 0
			out[i].FundingIntervalHours, out[i].FundingCap, out[i].FundingFloor = 4, 0.02, -0.02
		}
	}
	return out
}

func funding(exchange string, n int, observed time.Time) []collectors.Funding {
	out := make([]collectors.Funding, n)
	for i := range out {
		base := fmt.Sprintf("C%03d", i)
		out[i] = collectors.Funding{
			Exchange: exchange, Symbol: base + "USDT", Unified: collectors.Unified(base, "USDT", "USDT"),
			Rate: 0.0001 * float64(i%7-3), IntervalHours: 8, NextFundingAt: t0.Add(7 * time.Hour),
			MarkPrice: 10 + float64(i), ObservedAt: observed,
		}
		if i%4 == 0 {
			out[i].Cap, out[i].Floor = 0.0075, -0.0075
		}
	}
	return out
}

func market(exchange string, n int, observed time.Time) []collectors.MarketStat {
	out := make([]collectors.MarketStat, n)
	for i := range out {
		base := fmt.Sprintf("C%03d", i)
		out[i] = collectors.MarketStat{
			Exchange: exchange, Symbol: base + "USDT", Unified: collectors.Unified(base, "USDT", "USDT"),
			LastPrice: 10 + float64(i), Volume24hUSD: 1e6 * float64(i+1), ObservedAt: observed,
		}
		if i%2 == 0 {
			out[i].OpenInterestUSD = 5e5 * float64(i+1)
		}
	}
	return out
}

// snapshot builds a complete snapshot of n records of kind, started at.
func snapshot(exchange string, kind collectors.Kind, n int, at time.Time) collectors.Snapshot {
	snap := collectors.Snapshot{Exchange: exchange, Kind: kind, StartedAt: at, Duration: 420 * time.Millisecond, Requests: 2}
	switch kind {
	case collectors.KindInstruments:
		snap.Records.Instruments = instruments(exchange, n)
	case collectors.KindFunding:
		snap.Records.Funding = funding(exchange, n, at)
	case collectors.KindMarket:
		snap.Records.Market = market(exchange, n, at)
	}
	return snap
}

func failed(exchange string, kind collectors.Kind, at time.Time, err error) collectors.Snapshot {
	return collectors.Snapshot{Exchange: exchange, Kind: kind, StartedAt: at, Duration: time.Second, Requests: 1, Err: err}
}

// queryRows runs a query and returns its rows, failing the test on error.
func queryRows(t testing.TB, s *Store, query string, args ...any) [][]any {
	t.Helper()
	res, err := s.Query(context.Background(), query, args...)
	if err != nil {
		t.Fatal(err)
	}
	return res.Rows
}
