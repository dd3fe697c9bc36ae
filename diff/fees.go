package diff

import (
	"cmp"
	"slices"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/reports/units"
)

// ProductLabel is how a fee product reads in events and the digest.
func ProductLabel(product string) string {
	switch product {
	case collectors.ProductUSDM:
		return "USDⓈ-M"
	case collectors.ProductCOINM:
		return "COIN-M"
	case collectors.ProductUSDC:
		return "USDC"
	}
	return product
}

// Fees finds fee events of one exchange between two complete fee
// snapshots:
//
//   - fee.tier: a schedule tier's maker or taker changed (one event per
//     side, Field "<product> <tier> maker|taker"), or a tier was added or
//     removed (Field "<product> <tier>"). A cut at the product's base tier
//     (the one without a volume threshold, VIP0) is high severity.
//   - fee.symbol: a symbol's own fee (our account's rate, from an
//     authenticated endpoint) differs from its tier's and that promotion
//     appears, changes or ends.
//
// Both snapshots are complete by contract, so a removed tier really left
// the schedule: a page that failed never reaches here (see fees.Sources).
// Nothing comes back when prev is the zero Snap or the same snapshot.
func Fees(cfg Config, exchange string, prev, next Snap) []Change {
	cfg = cfg.withDefaults()
	if prev.ID == 0 || prev.ID == next.ID {
		return nil
	}
	base := Change{Exchange: exchange, Kind: collectors.KindFees, DetectedAt: next.At, SnapshotFrom: prev.ID, SnapshotTo: next.ID}
	out := tierChanges(base, prev.Records.Fees, next.Records.Fees)
	out = append(out, symbolChanges(base, prev.Records.Fees, next.Records.Fees)...)
	out = finish(cfg, out)
	if _, overridden := cfg.Severities[FeeTier]; !overridden {
		for i := range out {
			if out[i].Type == FeeTier && out[i].Evidence["base_tier"] == 1 && out[i].Evidence["cut"] > 0 {
				out[i].Severity = High
			}
		}
		slices.SortFunc(out, compareChanges)
	}
	return out
}

// formatFees prints a tier's or symbol's pair of rates.
func formatFees(f collectors.Fee) string {
	return "maker " + units.Bps(f.MakerRate) + ", taker " + units.Bps(f.TakerRate)
}

// scheduleKey identifies a schedule row across snapshots.
func scheduleKey(f collectors.Fee) string { return f.Product + "|" + f.Tier + "|" + f.Source }

func tierChanges(base Change, prev, next []collectors.Fee) []Change {
	before := map[string]collectors.Fee{}
	for _, f := range prev {
		if f.Symbol == "" {
			before[scheduleKey(f)] = f
		}
	}
	baseTiers := baseTiersOf(next)
	prevBase := baseTiersOf(prev)
	var out []Change
	seen := map[string]bool{}
	for _, f := range next {
		if f.Symbol != "" {
			continue
		}
		k := scheduleKey(f)
		seen[k] = true
		label := ProductLabel(f.Product) + " " + f.Tier
		isBase := 0.0
		if baseTiers[f.Product+"|"+f.Source] == f.Tier {
			isBase = 1
		}
		p, ok := before[k]
		if !ok {
			c := base
			c.Type, c.Field, c.New = FeeTier, label, "new tier: "+formatFees(f)
			c.Evidence = map[string]float64{"new_maker": f.MakerRate, "new_taker": f.TakerRate,
				"min_30d_volume_usd": f.Min30dVolumeUSD, "base_tier": isBase}
			out = append(out, c)
			continue
		}
		for _, side := range []struct {
			name     string
			old, new float64
		}{{"maker", p.MakerRate, f.MakerRate}, {"taker", p.TakerRate, f.TakerRate}} {
			if side.old == side.new {
				continue
			}
			c := base
			c.Type, c.Field = FeeTier, label+" "+side.name
			c.Old, c.New = units.Bps(side.old), units.Bps(side.new)
			c.Evidence = map[string]float64{
				"old_rate": side.old, "new_rate": side.new, "cut": side.old - side.new,
				"old_maker": p.MakerRate, "new_maker": f.MakerRate, "old_taker": p.TakerRate, "new_taker": f.TakerRate,
				"min_30d_volume_usd": f.Min30dVolumeUSD, "base_tier": isBase,
			}
			if side.name == "taker" {
				c.Evidence["taker"] = 1
			} else {
				c.Evidence["taker"] = 0
			}
			out = append(out, c)
		}
	}
	for _, p := range prev {
		if p.Symbol != "" || seen[scheduleKey(p)] {
			continue
		}
		isBase := 0.0
		if prevBase[p.Product+"|"+p.Source] == p.Tier {
			isBase = 1
		}
		c := base
		c.Type, c.Field = FeeTier, ProductLabel(p.Product)+" "+p.Tier
		c.Old, c.New = formatFees(p), "tier removed"
		c.Evidence = map[string]float64{"old_maker": p.MakerRate, "old_taker": p.TakerRate,
			"min_30d_volume_usd": p.Min30dVolumeUSD, "base_tier": isBase}
		out = append(out, c)
	}
	return out
}

// baseTiersOf names each (product, source) schedule's base tier: the one
// with the lowest 30-day volume threshold, the first listed on a tie.
func baseTiersOf(fees []collectors.Fee) map[string]string {
	lowest := map[string]collectors.Fee{}
	for _, f := range fees {
		if f.Symbol != "" {
			continue
		}
		k := f.Product + "|" + f.Source
		if b, ok := lowest[k]; !ok || f.Min30dVolumeUSD < b.Min30dVolumeUSD ||
			f.Min30dVolumeUSD == b.Min30dVolumeUSD && f.MinBalanceUSD < b.MinBalanceUSD {
			lowest[k] = f
		}
	}
	out := make(map[string]string, len(lowest))
	for k, f := range lowest {
		out[k] = f.Tier
	}
	return out
}

// rates is one pair of maker and taker rates.
type rates struct{ maker, taker float64 }

func ratesOf(f collectors.Fee) rates { return rates{f.MakerRate, f.TakerRate} }

// tierRates returns, per product and tier, the rates a symbol row is
// measured against: the schedule's row for that tier when one is
// published, else the rate most of the account's symbols of the product
// pay (an endpoint that does not name our tier, such as Bybit's).
func tierRates(fees []collectors.Fee) map[string]rates {
	out := map[string]rates{}
	counts := map[string]map[rates]int{}
	for _, f := range fees {
		k := f.Product + "|" + f.Tier
		if f.Symbol == "" {
			out[k] = ratesOf(f)
			continue
		}
		if counts[k] == nil {
			counts[k] = map[rates]int{}
		}
		counts[k][ratesOf(f)]++
	}
	for k, byRates := range counts {
		if _, published := out[k]; published {
			continue
		}
		var best rates
		n := 0
		for r, c := range byRates {
			// The lowest taker, then maker, wins a tie, so the result
			// never depends on map order.
			if c > n || c == n && cmp.Or(cmp.Compare(r.taker, best.taker), cmp.Compare(r.maker, best.maker)) < 0 {
				best, n = r, c
			}
		}
		out[k] = best
	}
	return out
}

// promotion is a symbol paying other than its tier.
type promotion struct {
	fee  collectors.Fee
	tier rates
}

func promotions(fees []collectors.Fee) map[string]promotion {
	ref := tierRates(fees)
	out := map[string]promotion{}
	for _, f := range fees {
		if f.Symbol == "" {
			continue
		}
		if t := ref[f.Product+"|"+f.Tier]; ratesOf(f) != t {
			out[f.Product+"|"+f.Symbol] = promotion{fee: f, tier: t}
		}
	}
	return out
}

func symbolChanges(base Change, prev, next []collectors.Fee) []Change {
	before, after := promotions(prev), promotions(next)
	nextRows := map[string]collectors.Fee{}
	for _, f := range next {
		if f.Symbol != "" {
			nextRows[f.Product+"|"+f.Symbol] = f
		}
	}
	nextRef := tierRates(next)
	var out []Change
	event := func(f collectors.Fee, old, new string, ev map[string]float64) {
		c := base
		c.Type, c.Symbol, c.Field = FeeSymbol, f.Symbol, ProductLabel(f.Product)
		c.Old, c.New, c.Evidence = old, new, ev
		out = append(out, c)
	}
	for k, p := range after {
		ev := map[string]float64{"maker_rate": p.fee.MakerRate, "taker_rate": p.fee.TakerRate,
			"tier_maker_rate": p.tier.maker, "tier_taker_rate": p.tier.taker,
			"taker_discount": p.tier.taker - p.fee.TakerRate, "maker_discount": p.tier.maker - p.fee.MakerRate}
		old, was := before[k]
		switch {
		case !was:
			event(p.fee, "tier rate: "+formatFees(collectors.Fee{MakerRate: p.tier.maker, TakerRate: p.tier.taker}), formatFees(p.fee), ev)
		case ratesOf(old.fee) != ratesOf(p.fee):
			event(p.fee, formatFees(old.fee), formatFees(p.fee), ev)
		}
	}
	for k, p := range before {
		if _, still := after[k]; still {
			continue
		}
		ev := map[string]float64{"old_maker_rate": p.fee.MakerRate, "old_taker_rate": p.fee.TakerRate}
		now, listed := nextRows[k]
		if !listed {
			event(p.fee, formatFees(p.fee), "ended (no longer listed)", ev)
			continue
		}
		t := nextRef[now.Product+"|"+now.Tier]
		ev["tier_maker_rate"], ev["tier_taker_rate"] = t.maker, t.taker
		event(now, formatFees(p.fee), "ended: back to "+formatFees(now), ev)
	}
	return out
}
