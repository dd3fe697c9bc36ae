// Package units formats the numbers people read, in one style for change
// events, the digest and alerts alike: percentages attached ("5%",
// "12.3%/yr"), word units after a space ("4.5 bps", "8 h"), money as
// "$12.3K". Rates arrive as
// fractions (0.0001) and print in basis points or percent. Every
// formatter has a bounded width: an absurd value (1e308, an exchange's
// broken number) prints in scientific notation instead of 309 digits.
package units

import (
	"math"
	"strconv"
	"strings"
)

// NA is what a missing or non-finite number prints as.
const NA = "n/a"

// huge is where plain decimals give way to scientific notation.
const huge = 1e12

// Number prints a plain number as the exchange would, with every decimal
// it has: 0.01, 100, 0.00001 (never 1e-05), within a bounded width.
func Number(v float64) string {
	if !finite(v) {
		return NA
	}
	if a := math.Abs(v); a >= huge || (a > 0 && a < 1e-9) {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// Trim prints v with at most prec decimals and no trailing zeros.
func Trim(v float64, prec int) string {
	if !finite(v) {
		return NA
	}
	if math.Abs(v) >= huge {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// Sig3 prints v with about three significant digits: 1.23, 12.3, 123.
func Sig3(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return Trim(v, 0)
	case a >= 10:
		return Trim(v, 1)
	default:
		return Trim(v, 2)
	}
}

// USD prints money with a K/M/B/T suffix: $950, $12.3K, $1.5M, $2.1B.
func USD(v float64) string {
	if !finite(v) {
		return NA
	}
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	// Round first so that 999,999 prints $1M rather than $1000K.
	for _, u := range []struct {
		div    float64
		suffix string
	}{{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "K"}} {
		if v >= u.div*0.9995 {
			if v >= 1e3*u.div && u.suffix == "T" {
				return sign + "$" + strconv.FormatFloat(v, 'g', 3, 64)
			}
			return sign + "$" + Sig3(v/u.div) + u.suffix
		}
	}
	if v < 10 && v != math.Trunc(v) {
		return sign + "$" + strconv.FormatFloat(v, 'f', 2, 64)
	}
	return sign + "$" + Trim(v, 0)
}

// Bps prints a fraction in basis points: 0.00045 is "4.5 bps".
func Bps(frac float64) string { return Trim(frac*1e4, 2) + " bps" }

// SignedBps prints a rate in basis points with its sign: "+1.49 bps".
func SignedBps(frac float64) string { return signed(frac, Bps(frac)) }

// Pct prints a fraction as a percentage: 0.05 is "5%".
func Pct(frac float64) string { return Trim(frac*100, 1) + "%" }

// PctYr prints a yearly fraction: 0.123 is "12.3%/yr".
func PctYr(frac float64) string { return Trim(frac*100, 1) + "%/yr" }

// SignedPctYr prints a yearly rate with its sign: "+12.3%/yr".
func SignedPctYr(frac float64) string { return signed(frac, PctYr(frac)) }

// Hours prints an interval in hours: 8 is "8 h", 0.5 is "0.5 h".
func Hours(h float64) string { return Trim(h, 2) + " h" }

func signed(v float64, s string) string {
	if v > 0 && finite(v) {
		return "+" + s
	}
	return s
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
