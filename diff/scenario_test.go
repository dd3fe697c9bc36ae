package diff

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestScenarioGolden runs every detector over two days of three exchanges,
// the way the daemon chains them, and compares the whole event list
// (IDs, texts, evidence, order) with testdata/scenario.golden.json.
func TestScenarioGolden(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Ignore = []Ignore{{Symbol: "*USDC*"}}
	day := 24 * time.Hour
	snapAt := func(id int64, d int, r collectors.Records) Snap {
		return Snap{ID: id, At: t0.Add(time.Duration(d) * day), Records: r}
	}
	okxPerp := func(coin string, opts ...func(*collectors.Instrument)) collectors.Instrument {
		in := perp(coin+"USDT", opts...)
		in.Exchange, in.Symbol = "okx", coin+"-USDT-SWAP"
		return in
	}

	var got []Change
	// Instruments, day 0 → 1 → 2 on binance: a new listing, a leverage cut,
	// a perpetual given a delivery date, and ETH gone for two runs.
	bn := []Snap{
		snapAt(10, 0, collectors.Records{Instruments: []collectors.Instrument{perp("BTCUSDT"), perp("ETHUSDT"), perp("BTCUSDC", func(in *collectors.Instrument) { in.Unified = "BTC/USDC:USDC" })}}),
		snapAt(11, 1, collectors.Records{Instruments: []collectors.Instrument{perp("BTCUSDT", leverage(125)), perp("BTCUSDC")}}),
		snapAt(12, 2, collectors.Records{Instruments: []collectors.Instrument{
			perp("BTCUSDT", leverage(100)), perp("HYPEUSDT"), perp("BTCUSDC", leverage(10)),
			perp("LINAUSDT", func(in *collectors.Instrument) { in.DeliveryAt = t0.Add(5 * day) }),
		}}),
	}
	bn[1].Records.Instruments = append(bn[1].Records.Instruments, perp("LINAUSDT"))
	got = append(got, Listings(cfg, "binance", bn, nil)...)
	// OKX: a prelaunch symbol opens.
	got = append(got, Listings(cfg, "okx", []Snap{
		snapAt(20, 1, collectors.Records{Instruments: []collectors.Instrument{okxPerp("BTC"), okxPerp("BIO", status(collectors.StatusPrelaunch, "preopen"))}}),
		snapAt(21, 2, collectors.Records{Instruments: []collectors.Instrument{okxPerp("BTC"), okxPerp("BIO", status(collectors.StatusTrading, "live"))}}),
	}, nil)...)

	// Funding: bybit halves an interval, okx PEPE goes extreme and
	// diverges from binance's 1000PEPE.
	fPrev := map[string]Snap{
		"binance": snapAt(30, 1, collectors.Records{Funding: []collectors.Funding{fund("binance", "1000PEPEUSDT", "1000PEPE/USDT:USDT", 0.0001, 8)}}),
		"bybit":   snapAt(31, 1, collectors.Records{Funding: []collectors.Funding{fund("bybit", "WIFUSDT", "WIF/USDT:USDT", 0.0001, 8)}}),
		"okx":     snapAt(32, 1, collectors.Records{Funding: []collectors.Funding{fund("okx", "PEPE-USDT-SWAP", "PEPE/USDT:USDT", 0.0002, 8)}}),
	}
	wif := fund("bybit", "WIFUSDT", "WIF/USDT:USDT", 0.0001, 4)
	wif.Cap, wif.Floor = 0.02, -0.02
	fNext := map[string]Snap{
		"binance": snapAt(33, 2, collectors.Records{Funding: []collectors.Funding{fund("binance", "1000PEPEUSDT", "1000PEPE/USDT:USDT", 0.0001, 8)}}),
		"bybit":   snapAt(34, 2, collectors.Records{Funding: []collectors.Funding{wif}}),
		"okx":     snapAt(35, 2, collectors.Records{Funding: []collectors.Funding{fund("okx", "PEPE-USDT-SWAP", "PEPE/USDT:USDT", 0.0012, 8)}}),
	}
	for _, e := range []string{"binance", "bybit", "okx"} {
		got = append(got, Funding(cfg, e, fPrev[e], fNext[e])...)
	}
	got = append(got, Divergence(cfg, fPrev, fNext)...)

	// Market: WIF volume quadruples against a flat week.
	hist := flat("WIFUSDT", 24, 50e6, 20e6)
	got = append(got, Spikes(cfg, "bybit", hist,
		snapAt(40, 1, collectors.Records{Market: []collectors.MarketStat{market("WIFUSDT", 55e6, 21e6)}}),
		snapAt(41, 2, collectors.Records{Market: []collectors.MarketStat{market("WIFUSDT", 200e6, 22e6)}}))...)

	// The daemon stores them together; the digest sorts them like finish.
	got = finish(cfg, got)

	out, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, '\n')
	golden := filepath.Join("testdata", "scenario.golden.json")
	if *update {
		if err := os.WriteFile(golden, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./diff -run Golden -update to create it)", err)
	}
	if !bytes.Equal(out, want) {
		t.Errorf("events differ from %s (rerun with -update after checking):\n%s", golden, out)
	}
}
