package diff

import (
	"math"
	"slices"
	"strings"

	"github.com/rivalwatch/rivalwatch/reports/units"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// Funding finds funding events of one exchange between two complete funding
// snapshots: a changed interval (8h → 4h), a changed cap or floor, and a
// rate crossing into extreme territory. Extreme fires on the crossing only
// (or for a symbol seen for the first time), so a rate that stays extreme
// for days is reported once. Nothing comes back when prev is the zero Snap
// or the same snapshot as next.
func Funding(cfg Config, exchange string, prev, next Snap) []Change {
	cfg = cfg.withDefaults()
	if prev.ID == 0 || prev.ID == next.ID {
		return nil
	}
	before := make(map[string]collectors.Funding, len(prev.Records.Funding))
	for _, f := range prev.Records.Funding {
		before[f.Symbol] = f
	}
	extreme := func(f collectors.Funding) bool {
		return math.Abs(f.Annualized()) >= cfg.ExtremeAnnualized
	}
	var out []Change
	for _, f := range next.Records.Funding {
		c := Change{
			Exchange: exchange, Kind: collectors.KindFunding,
			Symbol: f.Symbol, Unified: f.Unified,
			DetectedAt: next.At, SnapshotFrom: prev.ID, SnapshotTo: next.ID,
		}
		p, seen := before[f.Symbol]
		if seen && p.IntervalHours > 0 && f.IntervalHours > 0 && p.IntervalHours != f.IntervalHours {
			ev := c
			ev.Type = FundingInterval
			ev.Old, ev.New = formatHours(p.IntervalHours), formatHours(f.IntervalHours)
			ev.Evidence = map[string]float64{
				"old_interval_hours": p.IntervalHours, "new_interval_hours": f.IntervalHours,
				"rate": f.Rate, "annualized": f.Annualized(),
			}
			out = append(out, ev)
		}
		if seen {
			out = append(out, capChange(c, p, f)...)
		}
		if extreme(f) && (!seen || !extreme(p)) {
			ev := c
			ev.Type = FundingExtreme
			if seen {
				ev.Old = formatRate(p.Rate, p.IntervalHours)
			}
			ev.New = formatRate(f.Rate, f.IntervalHours)
			ev.Evidence = map[string]float64{
				"rate": f.Rate, "annualized": f.Annualized(), "interval_hours": f.IntervalHours,
				"threshold_annualized": cfg.ExtremeAnnualized,
			}
			out = append(out, ev)
		}
	}
	return finish(cfg, out)
}

// capChange reports a changed funding cap, floor or both, as one event.
// A side going from or to zero (unpublished) is not a change: Binance
// publishes the cap only while a symbol sits in fundingInfo, which an
// interval change alone puts it in, so "none → 2%" would be a false alarm.
func capChange(c Change, p, f collectors.Funding) []Change {
	changed := func(a, b float64) bool { return a != 0 && b != 0 && a != b }
	capMoved, floorMoved := changed(p.Cap, f.Cap), changed(p.Floor, f.Floor)
	switch {
	case capMoved && floorMoved:
		c.Field = "cap/floor"
	case capMoved:
		c.Field = "cap"
	case floorMoved:
		c.Field = "floor"
	default:
		return nil
	}
	c.Type = FundingCap
	c.Old, c.New = formatBounds(p), formatBounds(f)
	c.Evidence = map[string]float64{"cap_old": p.Cap, "cap_new": f.Cap, "floor_old": p.Floor, "floor_new": f.Floor,
		"interval_hours": f.IntervalHours}
	return []Change{c}
}

// formatBounds prints a funding cap and floor per interval: "±200 bps
// per 8 h" when symmetric, else "-100 bps / +200 bps per 8 h".
func formatBounds(f collectors.Funding) string {
	per := " per " + formatHours(f.IntervalHours)
	if f.Cap == -f.Floor {
		return "±" + units.Bps(f.Cap) + per
	}
	return units.SignedBps(f.Floor) + " / " + units.SignedBps(f.Cap) + per
}

// quote is one exchange's annualized funding for one coin.
type quote struct {
	exchange, symbol string
	annualized       float64
	snap             *Snap
}

// Divergence finds coins whose annualized funding differs across exchanges
// by DivergenceAnnualized or more. next and prev map each exchange to its
// newest complete funding snapshot now and as of the previous sweep.
// Contracts join on coin, quote and settle, so 1000PEPE/USDT:USDT meets
// PEPE/USDT:USDT; funding is a fraction of notional, so the multiplier does
// not change it. Like Funding, it fires on the crossing only.
func Divergence(cfg Config, prev, next map[string]Snap) []Change {
	cfg = cfg.withDefaults()
	before, now := quotesByCoin(prev), quotesByCoin(next)
	var out []Change
	for coin, qs := range now {
		hi, lo := spread(qs)
		gap := hi.annualized - lo.annualized
		if len(qs) < 2 || gap < cfg.DivergenceAnnualized {
			continue
		}
		c := Change{
			Exchanges: []string{hi.exchange, lo.exchange}, Kind: collectors.KindFunding,
			Type: FundingDivergence, Symbol: coin, Unified: coin,
			New: formatAnnual(gap) + " spread: " + hi.exchange + " " + formatAnnual(hi.annualized) +
				" vs " + lo.exchange + " " + formatAnnual(lo.annualized),
			DetectedAt:   later(*hi.snap, *lo.snap).At,
			SnapshotFrom: max(prev[hi.exchange].ID, prev[lo.exchange].ID),
			SnapshotTo:   later(*hi.snap, *lo.snap).ID,
			Evidence:     map[string]float64{"spread_annualized": gap, "threshold_annualized": cfg.DivergenceAnnualized},
		}
		for _, q := range qs {
			c.Evidence["annualized_"+q.exchange] = q.annualized
		}
		if old := before[coin]; len(old) >= 2 {
			ohi, olo := spread(old)
			oldGap := ohi.annualized - olo.annualized
			if oldGap >= cfg.DivergenceAnnualized {
				continue
			}
			c.Old = formatAnnual(oldGap) + " spread"
			c.Evidence["spread_annualized_old"] = oldGap
		}
		out = append(out, c)
	}
	return finish(cfg, out)
}

// quotesByCoin groups funding by coin/quote:settle, one quote per exchange
// (the lowest symbol, should an exchange list a coin twice), in exchange
// order.
func quotesByCoin(snaps map[string]Snap) map[string][]quote {
	exchanges := make([]string, 0, len(snaps))
	most := 0 // the most records of one exchange: about as many coins
	for e, snap := range snaps {
		exchanges = append(exchanges, e)
		most = max(most, len(snap.Records.Funding))
	}
	slices.Sort(exchanges)
	out := make(map[string][]quote, most)
	for _, e := range exchanges {
		snap := snaps[e]
		mine := make(map[string]quote, len(snap.Records.Funding))
		for _, f := range snap.Records.Funding {
			key, ok := coinKey(f.Unified)
			if !ok || f.IntervalHours <= 0 {
				continue
			}
			if q, dup := mine[key]; dup && q.symbol < f.Symbol {
				continue
			}
			mine[key] = quote{exchange: e, symbol: f.Symbol, annualized: f.Annualized(), snap: &snap}
		}
		for key, q := range mine {
			out[key] = append(out[key], q)
		}
	}
	return out
}

// coinKey turns 1000PEPE/USDT:USDT into PEPE/USDT:USDT.
func coinKey(unified string) (string, bool) {
	base, rest, ok := strings.Cut(unified, "/")
	if !ok || base == "" || !strings.Contains(rest, ":") {
		return "", false
	}
	if coin := collectors.Coin(base); coin != base {
		return coin + "/" + rest, true
	}
	return unified, true // most bases have no multiplier: no new string
}

// spread returns the highest and lowest quotes; ties go to the first
// exchange in name order.
func spread(qs []quote) (hi, lo quote) {
	hi, lo = qs[0], qs[0]
	for _, q := range qs[1:] {
		if q.annualized > hi.annualized {
			hi = q
		}
		if q.annualized < lo.annualized {
			lo = q
		}
	}
	return hi, lo
}

func later(a, b Snap) Snap {
	if b.At.After(a.At) || (b.At.Equal(a.At) && b.ID > a.ID) {
		return b
	}
	return a
}
