package classify

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// symbols lists what an announcement is about, title first, each once.
// Exchange-native names win: contracts (AVNTUSDT, RUNEUSD, BTCUSDT_260327,
// BTC-USDT-SWAP) and pairs (ALPHA/USDT) from title and body alike, because
// a notice titled for one symbol often changes several. Only when the text
// names none do token tickers count: "Foo (FOO)" in the title, then the
// upper-case words of a normally cased title (DEGO, DENT, TRU), then
// "(FOO)" in the body.
func symbols(title, body string) []string {
	out := natives(nil, title)
	out = natives(out, body)
	if len(out) > 0 {
		return out
	}
	if out = parenTickers(nil, title); len(out) > 0 {
		return out
	}
	if out = titleTickers(title); len(out) > 0 {
		return out
	}
	if out = parenTickers(nil, body); len(out) > 0 {
		return out
	}
	return []string{}
}

// quotes are the settlement currencies contract names end with, longest
// first so BTCUSDT is BTC+USDT, not BTCUSD+T.
var quotes = []string{"USDT", "USDC", "USD"}

// pairQuotes are what a spot pair "X/Y" may be quoted in.
var pairQuotes = []string{"USDT", "USDC", "FDUSD", "BTC", "ETH", "BNB", "TRY", "EUR", "BRL", "JPY", "USD", "USD1", "DAI", "TUSD", "BUSD"}

// stablecoins end like contracts (BUSD, FDUSD) but are tokens.
var stablecoins = []string{"BUSD", "FDUSD", "TUSD", "PYUSD", "RLUSD", "BFUSD", "SUSD", "LUSD", "GUSD", "USDD", "DUSD", "ZUSD", "CUSD", "XUSD", "AUSD", "USDE"}

// symRune is a character of a symbol: Latin capitals, digits and the
// scripts of non-Latin token names (龙虾USDT, 币安人生USDT).
func symRune(r rune) bool {
	return r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' ||
		r > unicode.MaxASCII && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hangul, r) ||
			unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r))
}

// runs splits s into maximal runs of symbol characters joined by '-' or '/'.
// A run's last capital is dropped when a lower-case letter follows it: in
// a flattened table "SymbolAVNTUSDTContract Type" that capital starts the
// next label.
func runs(s string, each func(run string)) {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !symRune(r) {
			i += n
			continue
		}
		j := i
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if symRune(r) {
				j += n
				continue
			}
			if (r == '-' || r == '/') && j+1 < len(s) {
				if r2, _ := utf8.DecodeRuneInString(s[j+1:]); symRune(r2) {
					j++
					continue
				}
			}
			break
		}
		run := s[i:j]
		if j < len(s) && s[j] >= 'a' && s[j] <= 'z' && len(run) > 1 && run[len(run)-1] >= 'A' && run[len(run)-1] <= 'Z' {
			run = run[:len(run)-1]
		}
		each(run)
		i = j
	}
}

// natives appends the contract and pair names in s to out.
func natives(out []string, s string) []string {
	add := func(sym string) {
		if !slices.Contains(out, sym) {
			out = append(out, sym)
		}
	}
	runs(s, func(run string) {
		if okx, ok := okxContract(run); ok {
			add(okx)
			return
		}
		if strings.Count(run, "/") == 1 {
			base, quote, _ := strings.Cut(run, "/")
			if ticker(base) && slices.Contains(pairQuotes, quote) {
				add(run)
			}
			return
		}
		parts := strings.Split(run, "-")
		if len(parts) == 2 && ticker(parts[0]) && slices.Contains(pairQuotes, parts[1]) {
			add(run) // OKX pair: BERA-USDT
			return
		}
		for _, part := range parts {
			for _, c := range unglue(part) {
				add(c)
			}
		}
	})
	return out
}

// okxContract reads OKX's BASE-QUOTE-SWAP and BASE-QUOTE-YYMMDD names and
// Bybit's dated futures, BTCUSDT-27MAR26 and BTC-27MAR26.
func okxContract(run string) (string, bool) {
	p := strings.Split(run, "-")
	if len(p) == 2 && ticker(p[0]) && bybitExpiry.MatchString(p[1]) {
		return run, true
	}
	if len(p) != 3 || !ticker(p[0]) || !slices.Contains(quotes, p[1]) {
		return "", false
	}
	if p[2] == "SWAP" || len(p[2]) == 6 && allDigits(p[2]) {
		return run, true
	}
	return "", false
}

var bybitExpiry = regexp.MustCompile(`^\d{2}(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)\d{2}$`)

// unglue splits contracts a flattened table header runs together,
// "KORUSDTTENZUSDT", into KORUSDT and TENZUSDT; a single contract comes
// back alone, and a run that is no contract gives nothing.
func unglue(run string) []string {
	for i := 1; i < len(run); i++ {
		head, tail := run[:i], run[i:]
		if !contract(head) || strings.HasSuffix(head, "USD") && (tail[0] == 'T' || tail[0] == 'C') {
			continue
		}
		if rest := unglue(tail); len(rest) > 0 {
			return append([]string{head}, rest...)
		}
	}
	if contract(run) {
		return []string{run}
	}
	return nil
}

// contract reads Binance and Bybit names: BASE+QUOTE with an optional
// delivery date or COIN-M _PERP suffix.
func contract(s string) bool {
	name, suffix, hasSuffix := strings.Cut(s, "_")
	if hasSuffix && suffix != "PERP" && !(len(suffix) == 6 && allDigits(suffix)) {
		return false
	}
	if slices.Contains(stablecoins, name) {
		return false
	}
	for _, q := range quotes {
		base, ok := strings.CutSuffix(name, q)
		if !ok || base == "" {
			continue
		}
		// "4USDT" is a real contract; "1000USDT" is an amount written tight.
		if allDigits(base) {
			return len(base) == 1
		}
		return true
	}
	return false
}

// ticker is a token symbol: capitals, digits and CJK, with a letter.
func ticker(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > 20 || strings.ContainsAny(s, "_-/") {
		return false
	}
	return !allDigits(s)
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// notTickers are capitals that name no token.
var notTickers = []string{
	"UTC", "GMT", "OKX", "USD", "USDT", "USDC", "VIP", "API", "APR", "APY", "NFT", "KYC", "AMA", "FAQ",
	"P2P", "DEX", "CEX", "TVL", "ETF", "IEO", "IDO", "ICO", "AM", "PM", "CEO", "UI", "APP", "USDⓈ", "TBA",
	"TGE", "FOMC", "CPI", "OTC", "PRO", "LP", "MM", "PNL", "ROI", "AI", "II", "III", "VS", "OR", "TO",
	"TOP", "NEW", "HOT", "COIN", "FIAT", "EU", "US", "UK", "EEA", "BTC/USDT", "RWA", "DEFI", "SPOT",
}

func notTicker(s string) bool {
	return slices.Contains(notTickers, s) || len(s) < 2 && !strings.ContainsFunc(s, func(r rune) bool { return r > unicode.MaxASCII })
}

// parenTickers appends the "(FOO)" tickers of s: "Binance Will List Foo (FOO)".
func parenTickers(out []string, s string) []string {
	for {
		i := strings.IndexByte(s, '(')
		if i < 0 {
			return out
		}
		s = s[i+1:]
		j := strings.IndexByte(s, ')')
		if j < 0 {
			return out
		}
		in := s[:j]
		if ticker(in) && !strings.ContainsFunc(in, func(r rune) bool { return !symRune(r) }) && !notTicker(in) && !slices.Contains(out, in) {
			out = append(out, in)
		}
		s = s[j+1:]
	}
}

// titleTickers reads the capitalised words of a normally cased title:
// "Binance Will Delist CVP, EPX, FOR on 2026-04-28", "Stake MNT to Share
// 3,000,000 SONIC" (a reward token is named too).
func titleTickers(title string) []string {
	if !strings.ContainsFunc(title, unicode.IsLower) {
		return nil // an all-capitals title says nothing by its case
	}
	var out []string
	fields := strings.FieldsFunc(title, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:!?()[]{}\"'—–&|", r)
	})
	for _, f := range fields {
		w := strings.TrimRight(f, ".")
		if w == "" || strings.ContainsFunc(w, func(r rune) bool { return !symRune(r) }) ||
			!ticker(w) || notTicker(w) || amount.MatchString(w) || slices.Contains(out, w) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// amount is a number with a multiplier, "200K", not a ticker.
var amount = regexp.MustCompile(`^\d+[KMB]$`)
