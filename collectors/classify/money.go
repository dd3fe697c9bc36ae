package classify

import (
	"regexp"
	"strconv"
	"strings"
)

// Amount is a sum of money or tokens as the text states it.
type Amount struct {
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"` // USD for "$", else the token: USDT, ARB
}

var (
	// dollars: "$200K", "$1.2M", "$50,000", "US$ 10,000".
	dollars = regexp.MustCompile(`(?i)(?:US)?\$\s?(\d[\d,]*(?:\.\d+)?)(\s?(?:k|m|b|thousand|million|billion)\b)?`)
	// tokens: "1,200,000 USDT", "1.2M ARB", "17,100 USDC".
	tokens = regexp.MustCompile(`^(\d[\d,]*(?:\.\d+)?)(\s?(?:[kKmMbB]|thousand|million|billion|Thousand|Million|Billion)\b)?\s?([A-Z][A-Z0-9]{1,9})\b`)

	// A pool is shared: the words before or after the amount say so.
	poolBefore = regexp.MustCompile(`(?i)(share|sharing|split|pool of|pools? worth|total of|totaling|totalling|in total|worth|grab|win|up for grabs|prize pool|reward pool|rewards pool|bonus pool|total prize|total reward|total rewards|prize|pool)\b[^.!?\n]{0,28}$`)
	poolAfter  = regexp.MustCompile(`(?i)^\s*(?:worth|pool|up for grabs|in (?:total|rewards|prizes|token vouchers)|(?:in |of |total )?(?:\w+\s){0,2}?(?:prize|reward|airdrop|token voucher|voucher)s?(?:\s+pool)?\b)`)
	// A cap is one person's ceiling.
	capAfter     = regexp.MustCompile(`(?i)^[^.!?\n]{0,30}?\b(?:per|each|every|a single|/)\s*(?:eligible |new |qualified |verified |individual )?(?:user|participant|person|account|trader|winner|individual|referee|invitee|customer|uid)`)
	sharedBefore = regexp.MustCompile(`(?i)(share|sharing|split|pool|total|grab)\b[^.!?\n]{0,28}$`)
	capBefore    = regexp.MustCompile(`(?i)(?:up to|a maximum of|maximum of|max\.?|capped at|cap of|no more than|each (?:user|participant|winner)[^.!?\n]{0,30})\s*$`)
	// A labelled total beats a pool merely mentioned: "Total Prize Pool: 200,000 USDT".
	poolLabel = regexp.MustCompile(`(?i)(total|prize pool|reward pool|rewards pool)[^.!?\n]{0,12}$`)
)

// notCurrencies are capitals that can follow a number without being money.
var notCurrencies = []string{"UTC", "GMT", "AM", "PM", "APR", "APY", "VIP", "USDⓈ", "X", "H", "UID", "KYC", "BPS", "API", "PST", "EST", "CET", "HKT", "SGT"}

// rewardPool finds the campaign's total pool, preferring the title's
// headline and, in the body, a labelled total.
func rewardPool(title, body string) *Amount {
	if a, _ := bestPool(title); a != nil {
		return a
	}
	a, _ := bestPool(body)
	return a
}

type moneyAt struct {
	a          Amount
	start, end int
}

func bestPool(s string) (*Amount, bool) {
	var first *Amount
	for _, m := range money(s) {
		pre := s[max(0, m.start-60):m.start]
		post := s[m.end:min(len(s), m.end+45)]
		if capAfter.MatchString(post) || capBefore.MatchString(pre) && !sharedBefore.MatchString(pre) {
			continue
		}
		if !poolBefore.MatchString(pre) && !poolAfter.MatchString(post) {
			continue
		}
		a := m.a
		if poolLabel.MatchString(pre) {
			return &a, true
		}
		if first == nil {
			first = &a
		}
	}
	return first, false
}

// money lists the amounts in s in text order.
func money(s string) []moneyAt {
	var out []moneyAt
	var dollarsAt [][]int
	if strings.Contains(s, "$") {
		dollarsAt = dollars.FindAllStringSubmatchIndex(s, -1)
	}
	for _, m := range dollarsAt {
		if v, ok := number(s[m[2]:m[3]], suffix(s, m[4], m[5])); ok {
			out = append(out, moneyAt{Amount{v, "USD"}, m[0], m[1]})
		}
	}
	// tokens runs anchored at each number: one pass of a regexp over a
	// long body costs more than the whole classification budget.
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) || i > 0 && (isDigit(s[i-1]) || s[i-1] == ',' || s[i-1] == '.') {
			continue
		}
		if i > 0 && strings.ContainsRune("$:.-/", rune(s[i-1])) {
			continue
		}
		w := s[i:min(len(s), i+40)]
		m := tokens.FindStringSubmatchIndex(w)
		if m == nil {
			continue
		}
		cur := w[m[6]:m[7]]
		if isNotCurrency(cur, s[i+m[7]:]) {
			continue
		}
		if v, ok := number(w[m[2]:m[3]], suffix(w, m[4], m[5])); ok {
			out = append(out, moneyAt{Amount{v, cur}, i, i + m[1]})
		}
	}
	// Two scans, one order: by position.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].start < out[j-1].start; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func isNotCurrency(cur, rest string) bool {
	for _, c := range notCurrencies {
		if cur == c {
			return true
		}
	}
	// "4 USDⓈ-M contracts" and "2 COIN-M contracts" count contracts.
	return strings.HasPrefix(rest, "Ⓢ") || strings.HasPrefix(rest, "-M")
}

func suffix(s string, from, to int) string {
	if from < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(s[from:to]))
}

// number reads "1,200,000" or "1.2" with a k/m/b multiplier.
func number(digits, mult string) (float64, bool) {
	v, err := strconv.ParseFloat(strings.ReplaceAll(digits, ",", ""), 64)
	if err != nil || v <= 0 {
		return 0, false
	}
	switch mult {
	case "k", "thousand":
		v *= 1e3
	case "m", "million":
		v *= 1e6
	case "b", "billion":
		v *= 1e9
	}
	return v, true
}
