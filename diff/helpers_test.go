package diff

import (
	"strings"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// t0 is the first snapshot's time; snapshot n is taken n hours later.
var t0 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func at(id int64) time.Time { return t0.Add(time.Duration(id) * time.Hour) }

// perp is a trading USDT perpetual; opts adjust it.
func perp(symbol string, opts ...func(*collectors.Instrument)) collectors.Instrument {
	base := strings.TrimSuffix(symbol, "USDT")
	in := collectors.Instrument{
		Exchange: "binance", Symbol: symbol, Unified: collectors.Unified(base, "USDT", "USDT"),
		Base: base, Quote: "USDT", Settle: "USDT", Multiplier: collectors.Multiplier(base),
		ContractType: collectors.Perpetual, Margin: collectors.Linear,
		Status: collectors.StatusTrading, NativeStatus: "TRADING",
		ContractSize: 1, TickSize: 0.01, LotSize: 0.001, MinQty: 0.001, MinNotional: 5, MaxLeverage: 50,
		ListedAt: t0.AddDate(-1, 0, 0),
	}
	for _, o := range opts {
		o(&in)
	}
	return in
}

func status(s collectors.Status, native string) func(*collectors.Instrument) {
	return func(in *collectors.Instrument) { in.Status, in.NativeStatus = s, native }
}

func leverage(x float64) func(*collectors.Instrument) {
	return func(in *collectors.Instrument) { in.MaxLeverage = x }
}

// snap builds an instruments snapshot.
func snap(id int64, ins ...collectors.Instrument) Snap {
	return Snap{ID: id, At: at(id), Records: collectors.Records{Instruments: ins}}
}

// fund is one funding observation; unified may carry a multiplier prefix.
func fund(exchange, symbol, unified string, rate, intervalHours float64) collectors.Funding {
	return collectors.Funding{Exchange: exchange, Symbol: symbol, Unified: unified, Rate: rate, IntervalHours: intervalHours}
}

func fsnap(id int64, fs ...collectors.Funding) Snap {
	return Snap{ID: id, At: at(id), Records: collectors.Records{Funding: fs}}
}

func market(symbol string, volume, oi float64) collectors.MarketStat {
	return collectors.MarketStat{Exchange: "bybit", Symbol: symbol, Unified: strings.TrimSuffix(symbol, "USDT") + "/USDT:USDT",
		Volume24hUSD: volume, OpenInterestUSD: oi}
}

func msnap(id int64, ms ...collectors.MarketStat) Snap {
	return Snap{ID: id, At: at(id), Records: collectors.Records{Market: ms}}
}

// summary is one line per change, the shape table tests compare:
// "type exchange symbol[.field]: old → new (severity)".
func summary(changes []Change) []string {
	var out []string
	for _, c := range changes {
		sym := c.Symbol
		if c.Field != "" {
			sym += "." + c.Field
		}
		out = append(out, string(c.Type)+" "+c.ExchangeLabel()+" "+sym+": "+c.Old+" → "+c.New+" ("+string(c.Severity)+")")
	}
	return out
}

func checkSummary(t *testing.T, got []Change, want []string) {
	t.Helper()
	g := summary(got)
	if strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes:\n got  %q\n want %q", g, want)
	}
}

// checkCommon verifies what every change must carry.
func checkCommon(t *testing.T, changes []Change, next Snap) {
	t.Helper()
	for _, c := range changes {
		if c.ID != ChangeID(c.ExchangeLabel(), c.Type, c.Symbol, c.Field, c.New, c.SnapshotTo) {
			t.Errorf("%s %s: ID %s is not ChangeID of its fields", c.Type, c.Symbol, c.ID)
		}
		if c.SnapshotTo != next.ID || !c.DetectedAt.Equal(next.At) {
			t.Errorf("%s %s: snapshot %d at %v, want %d at %v", c.Type, c.Symbol, c.SnapshotTo, c.DetectedAt, next.ID, next.At)
		}
		if c.Kind == "" || c.Unified == "" || c.New == "" {
			t.Errorf("%s %s: empty kind %q, unified %q or new %q", c.Type, c.Symbol, c.Kind, c.Unified, c.New)
		}
	}
}
