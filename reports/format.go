package reports

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/rivalwatch/rivalwatch/reports/units"
)

// The formatters below accept any so that templates can pass a missing
// input (nil) straight through: a missing number prints "n/a" instead of
// failing the whole digest.

const na = units.NA

// toFloat converts a template value to a number; ok is false for nil,
// strings and anything else that is not a number.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, !math.IsNaN(x) && !math.IsInf(x, 0)
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case uint64:
		return float64(x), true
	}
	return 0, false
}

func trimFloat(f float64, prec int) string { return units.Trim(f, prec) }

// The template formatters print a missing or non-numeric value as n/a.
var (
	formatUSD   = orNA(units.USD)   // money: $950, $12.3K, $1.5M
	formatBps   = orNA(units.Bps)   // a fraction in basis points: 0.00045 is "4.5 bps"
	formatPct   = orNA(units.Pct)   // a fraction as a percentage: 0.05 is "5%"
	formatPctYr = orNA(units.PctYr) // an annualized fraction: 0.123 is "12.3%/yr"
	formatHours = orNA(units.Hours) // an interval: 8 is "8 h"
)

// orNA lifts a number formatter to template values.
func orNA(format func(float64) string) func(any) string {
	return func(v any) string {
		f, ok := toFloat(v)
		if !ok {
			return na
		}
		return format(f)
	}
}

// formatNum prints a plain number with up to two decimals: a ratio or a
// count.
func formatNum(v any) string {
	f, ok := toFloat(v)
	if !ok {
		if s, isString := v.(string); isString && s != "" {
			return s
		}
		return na
	}
	if a := math.Abs(f); a > 0 && a < 0.01 {
		// Small fractions (a fee of a type this package does not know)
		// keep three significant digits instead of rounding to 0.
		return strconv.FormatFloat(f, 'g', 3, 64)
	}
	return trimFloat(f, 2)
}

// formatInput prints an input by its name's unit convention, so the
// digest's input tables need no per-rule formatting.
func formatInput(name string, v any) string {
	switch x := v.(type) {
	case string:
		if x == "" {
			return "none"
		}
		return x
	case bool:
		if x {
			return "yes"
		}
		return "no"
	}
	switch {
	case strings.HasSuffix(name, "_usd") || strings.HasPrefix(name, "usd_"):
		return formatUSD(v)
	case strings.HasSuffix(name, "_fee") || name == "rate" || isFeeRate(name):
		return formatBps(v)
	case strings.HasSuffix(name, "_uplift"), strings.HasSuffix(name, "_share"):
		return formatPct(v)
	case strings.Contains(name, "annualized"):
		return formatPctYr(v)
	case strings.HasSuffix(name, "_hours"):
		return formatHours(v)
	case name == "contribution_margin":
		return formatPct(v)
	}
	return formatNum(v)
}

// formatAge prints how old something is: "35 min", "5 h 30 min", "3 d".
func formatAge(d time.Duration) string {
	switch {
	case d < 0:
		return "0 min"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		h, m := int(d.Hours()), int(d.Minutes())%60
		if m == 0 {
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %d min", h, m)
	}
	return trimFloat(d.Hours()/24, 1) + " d"
}

// formatWhen prints a time for the "since" column: the clock time alone
// when it falls on the reported day, else the date too.
func formatWhen(t, day time.Time) string {
	if t.IsZero() {
		return na
	}
	t = t.UTC()
	if y, m, d := t.Date(); y == day.Year() && m == day.Month() && d == day.Day() {
		return t.Format("15:04 UTC")
	}
	return t.Format("2006-01-02 15:04 UTC")
}

// isFeeRate reports whether a fee event's input is a rate: old_rate,
// new_taker, tier_maker_rate, gap, cut, taker_discount.
func isFeeRate(name string) bool {
	for _, suffix := range []string{"_rate", "_maker", "_taker", "_discount"} {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return name == "gap" || name == "cut"
}
