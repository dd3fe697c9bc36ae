package fees

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseRate reads a fee percentage as a page prints it ("0.0200%",
// "0.02 %", "-0.005%", "0%") into a fraction (0.0002). The percent sign is
// required: a bare "0.02" could be a fraction or a percentage.
func ParseRate(s string) (float64, error) {
	t := strings.Join(strings.Fields(s), "")
	t = strings.ReplaceAll(t, "−", "-") // U+2212, typeset minus
	num, ok := strings.CutSuffix(t, "%")
	if !ok || num == "" {
		return 0, fmt.Errorf("%q is not a percentage", s)
	}
	// Shifting the exponent in the text keeps 0.0200% exactly the float
	// nearest 0.0002, where dividing by 100 could land one bit off.
	v, err := strconv.ParseFloat(num+"e-2", 64)
	if err != nil || strings.ContainsAny(num, "eE") {
		return 0, fmt.Errorf("%q is not a percentage", s)
	}
	return v, nil
}

// none marks "no threshold" in a volume or balance cell.
var none = map[string]bool{"": true, "-": true, "/": true, "—": true, "–": true, "--": true, "n/a": true, "none": true}

// multipliers of the short forms pages use for large amounts.
var multipliers = map[string]float64{"": 1, "k": 1e3, "m": 1e6, "b": 1e9, "bn": 1e9}

// ParseUSD reads a tier threshold in US dollars ("≥ 15,000,000 USD",
// "$250M", "25,000,000", ">= 1.5B USDT") into a number. "-", "/" or an
// empty cell mean no threshold (0). An upper bound ("< 15M") is the first
// tier's ceiling, so its threshold is 0 too. An amount in anything but
// dollars or dollar stablecoins is an error, not a guess.
func ParseUSD(s string) (float64, error) {
	t := strings.ToLower(strings.Join(strings.Fields(s), ""))
	if none[t] {
		return 0, nil
	}
	for _, p := range []string{"≥", ">=", "≧", ">", "≤", "<=", "<"} {
		if rest, ok := strings.CutPrefix(t, p); ok {
			if strings.HasPrefix(p, "<") || p == "≤" {
				if _, err := ParseUSD(rest); err != nil {
					return 0, err
				}
				return 0, nil
			}
			t = rest
			break
		}
	}
	t = strings.TrimPrefix(t, "$")
	for _, unit := range []string{"usdt", "usdc", "usd"} {
		if rest, ok := strings.CutSuffix(t, unit); ok {
			t = rest
			break
		}
	}
	t = strings.ReplaceAll(t, ",", "")
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, suffix := t, ""
	if i >= 0 {
		num, suffix = t[:i], t[i:]
	}
	mult, ok := multipliers[suffix]
	if !ok || num == "" {
		return 0, fmt.Errorf("%q is not an amount in USD", s)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not an amount in USD", s)
	}
	return v * mult, nil
}
