package configs

import (
	"errors"
	"fmt"
	"math"
)

// productNames are the futures families a fee schedule is for: USDⓈ-M,
// COIN-M and USDC-margined.
var productNames = []string{"usdm", "coinm", "usdc"}

// maxFeeRate bounds a plausible perpetual fee, 1 % a side, as reports does
// for our own tiers: a larger value is bps or percent typed as a fraction.
const maxFeeRate = 0.01

func validateFees(f Fees, d *document) error {
	var errs []error
	pages := map[string]int{}
	for i, p := range f.Pages {
		at := fmt.Sprintf("fees.pages[%d]", i)
		errs = append(errs, validateFeePage(at, p, d))
		id := p.Exchange + " " + p.Product
		if first, dup := pages[id]; dup {
			errs = append(errs, d.at(at, "%s %s already has a page (fees.pages[%d])", p.Exchange, p.Product, first))
		}
		pages[id] = i
	}
	tiers := map[string]int{}
	for i, m := range f.Manual {
		at := fmt.Sprintf("fees.manual[%d]", i)
		errs = append(errs, validateManualFee(at, m, d))
		id := m.Exchange + " " + m.Product + " " + m.Tier
		if first, dup := tiers[id]; dup {
			errs = append(errs, d.at(at, "%s %s tier %s is already given (fees.manual[%d])", m.Exchange, m.Product, m.Tier, first))
		}
		tiers[id] = i
	}
	return errors.Join(errs...)
}

func validateFeePage(at string, p FeePage, d *document) error {
	errs := []error{
		d.checkOneOf(at+".exchange", p.Exchange, exchangeNames...),
		d.checkOneOf(at+".product", p.Product, productNames...),
		d.checkURL(at+".url", p.URL, "http", "https"),
		d.checkOneOf(at+".render", p.Render, "", "browser"),
	}
	if p.Selector == "" {
		errs = append(errs, d.at(at+".selector", "must give the CSS selector of the fee table, such as table.fee-tiers"))
	}
	if p.WaitSelector != "" && p.Render != "browser" {
		errs = append(errs, d.at(at+".wait_selector", "is only used with render: browser"))
	}
	for _, c := range []struct{ key, v string }{{"tier", p.Columns.Tier}, {"maker", p.Columns.Maker}, {"taker", p.Columns.Taker}} {
		if c.v == "" {
			errs = append(errs, d.at(at+".columns."+c.key, "must give the header text of the %s column", c.key))
		}
	}
	return errors.Join(errs...)
}

func validateManualFee(at string, m ManualFee, d *document) error {
	errs := []error{
		d.checkOneOf(at+".exchange", m.Exchange, exchangeNames...),
		d.checkOneOf(at+".product", m.Product, productNames...),
	}
	if m.Tier == "" {
		errs = append(errs, d.at(at+".tier", "must name the tier, such as VIP0"))
	}
	for _, r := range []struct {
		key string
		v   float64
	}{{"maker", m.Maker}, {"taker", m.Taker}} {
		switch {
		case !d.has(at + "." + r.key):
			errs = append(errs, d.at(at, "%s is missing (a fraction: 0.0005 is 5 bps)", r.key))
		case math.Abs(r.v) >= maxFeeRate:
			errs = append(errs, d.at(at+"."+r.key, "%g is not below ±%g (a fraction: 0.0005 is 5 bps)", r.v, maxFeeRate))
		}
	}
	if m.Min30dVolumeUSD < 0 {
		errs = append(errs, d.at(at+".min_30d_volume_usd", "must not be negative, got %g", m.Min30dVolumeUSD))
	}
	if m.MinBalanceUSD < 0 {
		errs = append(errs, d.at(at+".min_balance_usd", "must not be negative, got %g", m.MinBalanceUSD))
	}
	return errors.Join(errs...)
}
