package reports

import (
	"sort"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/diff"
	"github.com/rivalwatch/rivalwatch/reports/units"
)

// FeeTierRow is one of our tiers with what each rival charges at the same
// 30-day volume, for the digest's fee section.
type FeeTierRow struct {
	Tier            string    `json:"tier"`
	Min30dVolumeUSD float64   `json:"min_30d_volume_usd"`
	Volume          string    `json:"volume"` // the threshold as shown: "$15M", "—" for none
	House           FeeCell   `json:"house"`
	Rivals          []FeeCell `json:"rivals"` // in Digest.FeeExchanges order
}

// FeeCell is one exchange's maker and taker at one of our tiers.
type FeeCell struct {
	Exchange string   `json:"exchange"`
	Tier     string   `json:"tier,omitempty"` // the rival's own tier name
	Maker    *float64 `json:"maker,omitempty"`
	Taker    *float64 `json:"taker,omitempty"`
	Text     string   `json:"text"` // "2 / 5 bps", "n/a" when unknown
	// Undercuts: the rival charges less than we do on maker or taker.
	Undercuts bool `json:"undercuts"`
}

// feeTable lines up our tiers with the rivals' USDⓈ-M schedules (our
// tiers are our USDT perpetuals'): at each of our tiers, each rival's
// tier for the same 30-day volume, the highest whose threshold it meets.
// Balance-only thresholds are left aside: the comparison is by volume.
func feeTable(h House, fees []collectors.Fee) (rows []FeeTierRow, exchanges []string) {
	byExchange := map[string][]collectors.Fee{}
	for _, f := range fees {
		if f.Symbol == "" && f.Product == collectors.ProductUSDM {
			byExchange[f.Exchange] = append(byExchange[f.Exchange], f)
		}
	}
	if len(h.Tiers) == 0 || len(byExchange) == 0 {
		return nil, nil
	}
	for ex := range byExchange {
		exchanges = append(exchanges, ex)
	}
	sort.Strings(exchanges)
	for _, t := range h.Tiers {
		row := FeeTierRow{Tier: t.Name, Min30dVolumeUSD: t.Min30dVolumeUSD, Volume: "—",
			House: cell("", "", t.Maker, t.Taker)}
		if t.Min30dVolumeUSD > 0 {
			row.Volume = units.USD(t.Min30dVolumeUSD)
		}
		for _, ex := range exchanges {
			f, ok := tierAt(byExchange[ex], t.Min30dVolumeUSD)
			if !ok {
				row.Rivals = append(row.Rivals, FeeCell{Exchange: ex, Text: units.NA})
				continue
			}
			c := cell(ex, f.Tier, f.MakerRate, f.TakerRate)
			c.Undercuts = f.MakerRate < t.Maker || f.TakerRate < t.Taker
			row.Rivals = append(row.Rivals, c)
		}
		rows = append(rows, row)
	}
	return rows, exchanges
}

func cell(exchange, tier string, maker, taker float64) FeeCell {
	return FeeCell{Exchange: exchange, Tier: tier, Maker: &maker, Taker: &taker,
		Text: units.Trim(maker*1e4, 2) + " / " + units.Bps(taker)}
}

// tierAt is the schedule's tier for a trader with volume: the highest
// volume threshold at or below it, pages before manual entries on a tie.
func tierAt(schedule []collectors.Fee, volume float64) (collectors.Fee, bool) {
	var best collectors.Fee
	found := false
	for _, f := range schedule {
		if f.Min30dVolumeUSD > volume {
			continue
		}
		if !found || f.Min30dVolumeUSD > best.Min30dVolumeUSD ||
			f.Min30dVolumeUSD == best.Min30dVolumeUSD && f.Source == collectors.FeeSourcePage && best.Source != collectors.FeeSourcePage {
			best, found = f, true
		}
	}
	return best, found
}

// houseTierFor is our tier for a trader with volume.
func (h House) houseTierFor(volume float64) (FeeTier, bool) {
	var best FeeTier
	found := false
	for _, t := range h.Tiers {
		if t.Min30dVolumeUSD <= volume && (!found || t.Min30dVolumeUSD > best.Min30dVolumeUSD) {
			best, found = t, true
		}
	}
	return best, found
}

// feeInputs derives the numbers the fee rules compute with:
//
//	fee.tier:   house_rate (ours on the same side, at our tier for the
//	            rival tier's volume), gap (ours minus their new rate),
//	            house_total_daily_volume_usd, overlap_count and
//	            overlap_daily_volume_usd (our symbols the rival lists too)
//	fee.symbol: gap (our base taker minus their rate on the symbol)
//	both:       breakeven_uplift, the extra volume that keeps our
//	            contribution when we match: gap / (rate × margin − gap),
//	            since the costs behind the margin do not fall with the fee;
//	            absent when matching can never pay
func feeInputs(c diff.Change, p *picture, h House, in inputs) {
	var rate, gap float64
	switch c.Type {
	case diff.FeeTier:
		newRate, ok := c.Evidence["new_rate"]
		if !ok {
			return // a tier added or removed: no rate of ours to set against it
		}
		t, ok := h.houseTierFor(c.Evidence["min_30d_volume_usd"])
		if !ok {
			return
		}
		rate = t.Maker
		if c.Evidence["taker"] == 1 {
			rate = t.Taker
		}
		gap = rate - newRate
		var total, overlap float64
		n := 0
		for _, s := range h.Symbols {
			daily := h.Volume30dUSD[s] / 30
			total += daily
			if _, listed := p.statU[c.Exchange+"\x00"+s]; listed {
				overlap += daily
				n++
			}
		}
		in["house_total_daily_volume_usd"] = total
		in["overlap_count"], in["overlap_daily_volume_usd"] = float64(n), overlap
	case diff.FeeSymbol:
		taker, ok := c.Evidence["taker_rate"]
		base, okBase := h.baseTier()
		if !ok || !okBase {
			return
		}
		rate, gap = base.Taker, base.Taker-taker
	default:
		return
	}
	in["house_rate"], in["gap"] = rate, gap
	if kept := rate*h.ContributionMargin - gap; gap > 0 && kept > 0 {
		in["breakeven_uplift"] = gap / kept
	}
}
