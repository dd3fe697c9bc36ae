package exchangetest

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
)

// FeeTier is one tier of an exchange's USDⓈ-M fee schedule. Rates are
// fractions.
type FeeTier struct {
	Name                     string
	Volume30dUSD, BalanceUSD float64
	Maker, Taker             float64
}

// Fees is what one exchange publishes about its fees, and what its
// authenticated endpoints tell our observer account.
type Fees struct {
	Tiers []FeeTier // lowest volume first; our account sits at the first
	// Promos are our account's own rates on some symbols (the exchange's
	// symbol: PEPEUSDT, PEPE-USDT-SWAP), maker and taker.
	Promos map[string][2]float64
}

// DefaultFees is a plausible three-tier schedule.
func DefaultFees(maker, taker float64) Fees {
	return Fees{Tiers: []FeeTier{
		{Name: "VIP0", Maker: maker, Taker: taker},
		{Name: "VIP1", Volume30dUSD: 15e6, BalanceUSD: 100e3, Maker: maker * 0.8, Taker: taker * 0.9},
		{Name: "VIP2", Volume30dUSD: 50e6, BalanceUSD: 250e3, Maker: maker * 0.7, Taker: taker * 0.8},
	}}
}

// account is our account's maker and taker on symbol.
func (f Fees) account(symbol string) (maker, taker float64) {
	if p, ok := f.Promos[symbol]; ok {
		return p[0], p[1]
	}
	if len(f.Tiers) == 0 {
		return 0, 0
	}
	return f.Tiers[0].Maker, f.Tiers[0].Taker
}

// FeePagePath is where the simulated exchange's fee page is served:
// /demo/fees/binance.html. The page holds table.fees headed Tier,
// 30d Volume, Balance, Maker, Taker. The page at FeeScriptPagePath builds
// the same table with a script, as real fee pages do.
func FeePagePath(exchange string) string { return "/demo/fees/" + exchange + ".html" }

// FeeScriptPagePath is the script-built variant of FeePagePath.
func FeeScriptPagePath(exchange string) string { return "/demo/fees/" + exchange + "-script.html" }

func registerFees(mux *http.ServeMux, w *World) {
	for _, ex := range []struct {
		name string
		fees func() Fees
	}{
		{"binance", func() Fees { return w.BinanceFees }},
		{"bybit", func() Fees { return w.BybitFees }},
		{"okx", func() Fees { return w.OKXFees }},
	} {
		mux.HandleFunc("GET "+FeePagePath(ex.name), func(rw http.ResponseWriter, _ *http.Request) {
			writeHTML(rw, "<h1>Trading fees</h1>\n"+feeTable(ex.fees().Tiers))
		})
		mux.HandleFunc("GET "+FeeScriptPagePath(ex.name), func(rw http.ResponseWriter, _ *http.Request) {
			table, _ := json.Marshal(feeTable(ex.fees().Tiers))
			// The table appears only once the script has run, a moment
			// after load, as on a page rendered by a framework.
			writeHTML(rw, `<h1>Trading fees</h1><div id="fees">Loading…</div>
<script>setTimeout(function () { document.getElementById("fees").innerHTML = `+string(table)+`; }, 100);</script>`)
		})
	}
	mux.HandleFunc("GET /fapi/v1/accountConfig", signed(func(rw http.ResponseWriter, _ *http.Request) {
		binanceWrite(rw, http.StatusOK, map[string]any{"feeTier": 0, "canTrade": true, "canDeposit": true, "canWithdraw": true})
	}))
	for _, prefix := range []string{"/fapi/v1/", "/dapi/v1/"} {
		mux.HandleFunc("GET "+prefix+"commissionRate", signed(func(rw http.ResponseWriter, r *http.Request) {
			sym := r.URL.Query().Get("symbol")
			maker, taker := w.BinanceFees.account(sym)
			binanceWrite(rw, http.StatusOK, map[string]string{"symbol": sym,
				"makerCommissionRate": binanceRate(maker), "takerCommissionRate": binanceRate(taker)})
		}))
	}
	mux.HandleFunc("GET /v5/account/fee-rate", signed(func(rw http.ResponseWriter, r *http.Request) {
		category := r.URL.Query().Get("category")
		type row struct {
			Symbol       string `json:"symbol"`
			TakerFeeRate string `json:"takerFeeRate"`
			MakerFeeRate string `json:"makerFeeRate"`
		}
		list := []row{}
		for _, l := range w.Bybit {
			if bybitCategory(l) != category {
				continue
			}
			maker, taker := w.BybitFees.account(BybitSymbol(l))
			list = append(list, row{BybitSymbol(l), bybitNum(taker), bybitNum(maker)})
		}
		writeBybit(rw, w, map[string]any{"list": list}, 0, "OK")
	}))
	mux.HandleFunc("GET /api/v5/account/trade-fee", signed(func(rw http.ResponseWriter, r *http.Request) {
		family := r.URL.Query().Get("instFamily")
		maker, taker := w.OKXFees.account(family + "-SWAP")
		// OKX's sign is the account's: a commission is negative.
		m, t := strconv.FormatFloat(-maker, 'f', -1, 64), strconv.FormatFloat(-taker, 'f', -1, 64)
		writeOKX(rw, http.StatusOK, "0", "", []map[string]string{{"level": "Lv1", "instType": "SWAP",
			"maker": m, "taker": t, "makerU": m, "takerU": t, "makerUSDC": m, "takerUSDC": t}})
	}))
}

// signed refuses a request without an API key header, as the exchanges do.
func signed(h http.HandlerFunc) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-MBX-APIKEY") == "" && r.Header.Get("X-BAPI-API-KEY") == "" && r.Header.Get("OK-ACCESS-KEY") == "" {
			http.Error(rw, `{"code":-2015,"msg":"Invalid API-key"}`, http.StatusUnauthorized)
			return
		}
		h(rw, r)
	}
}

func feeTable(tiers []FeeTier) string {
	var b strings.Builder
	b.WriteString(`<table class="fees"><thead><tr><th>Tier</th><th>30d Volume</th><th>Balance</th><th>Maker</th><th>Taker</th></tr></thead><tbody>`)
	usd := func(v float64) string {
		if v == 0 {
			return "-"
		}
		return "≥ " + strconv.FormatFloat(v, 'f', -1, 64) + " USD"
	}
	pct := func(v float64) string { return strconv.FormatFloat(v*100, 'f', 4, 64) + "%" }
	for _, t := range tiers {
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>",
			html.EscapeString(t.Name), usd(t.Volume30dUSD), usd(t.BalanceUSD), pct(t.Maker), pct(t.Taker))
	}
	b.WriteString("</tbody></table>")
	return b.String()
}

func writeHTML(rw http.ResponseWriter, body string) {
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(rw, "<!DOCTYPE html><html><head><title>Fees</title></head><body>%s</body></html>", body)
}
