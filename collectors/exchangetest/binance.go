package exchangetest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// Binance publishes perpetuals with this delivery date: 2100-12-25.
const binancePerpetualDelivery = 4133404800000

// binanceDefaultCap is the funding cap (and minus the floor) the simulator
// treats as Binance's default. Real Binance only lists in /fundingInfo the
// symbols whose interval, cap or floor were adjusted away from their
// defaults; the simulator lists a perpetual there when its interval is not
// 8 hours or its cap/floor is not ±2%.
const binanceDefaultCap = 0.02

// registerBinance serves Binance's USDⓈ-M (/fapi) and COIN-M (/dapi) public
// market endpoints for the listings in w.Binance: USD-quoted listings are
// COIN-M inverse contracts, all others USDⓈ-M.
func registerBinance(mux *http.ServeMux, w *World) {
	for _, api := range []struct {
		prefix  string
		inverse bool
	}{{"/fapi/v1/", false}, {"/dapi/v1/", true}} {
		b := binanceAPI{w: w, inverse: api.inverse}
		mux.HandleFunc("GET "+api.prefix+"exchangeInfo", b.exchangeInfo)
		mux.HandleFunc("GET "+api.prefix+"premiumIndex", b.premiumIndex)
		mux.HandleFunc("GET "+api.prefix+"fundingInfo", b.fundingInfo)
		mux.HandleFunc("GET "+api.prefix+"ticker/24hr", b.ticker)
		mux.HandleFunc("GET "+api.prefix+"openInterest", b.openInterest)
	}
}

// binanceAPI renders one of Binance's two futures APIs.
type binanceAPI struct {
	w       *World
	inverse bool
}

func (b binanceAPI) listings() []Listing {
	var out []Listing
	for _, l := range b.w.Binance {
		if l.Inverse() == b.inverse {
			out = append(out, l)
		}
	}
	return out
}

// binanceSymbol is the exchange's id: BTCUSDT, BTCUSDT_260327, BTCUSD_PERP,
// BTCUSD_260327.
func binanceSymbol(l Listing) string {
	pair := l.Base + l.Quote
	switch {
	case !l.DeliveryAt.IsZero():
		return pair + "_" + l.DeliveryAt.UTC().Format("060102")
	case l.Inverse():
		return pair + "_PERP"
	}
	return pair
}

// binanceContractSize is Binance's fixed COIN-M face value in USD.
func binanceContractSize(l Listing) int {
	if l.Base == "BTC" {
		return 100
	}
	return 10
}

// binanceStatus maps a normalized status back to a native one. Binance has
// no "suspended": a halted contract is on its way to settlement.
func binanceStatus(l Listing) string {
	delivery := !l.DeliveryAt.IsZero()
	switch l.Status {
	case collectors.StatusPrelaunch:
		return "PENDING_TRADING"
	case collectors.StatusTrading:
		return "TRADING"
	case collectors.StatusSuspended:
		return "PRE_SETTLE"
	case collectors.StatusSettling:
		if delivery {
			return "DELIVERING"
		}
		return "SETTLING"
	case collectors.StatusDelisted:
		if delivery {
			return "DELIVERED"
		}
		return "CLOSE"
	}
	return strings.ToUpper(string(l.Status))
}

func (b binanceAPI) contractType(l Listing) string {
	switch {
	case l.DeliveryAt.IsZero() && l.Status == collectors.StatusPrelaunch:
		return "" // as in the real capture of a PENDING_TRADING perpetual
	case l.DeliveryAt.IsZero():
		return "PERPETUAL"
	case l.DeliveryAt.Sub(b.w.Now) < 92*24*time.Hour:
		return "CURRENT_QUARTER"
	}
	return "NEXT_QUARTER"
}

// binanceDecimals is the number of decimals in a step such as 0.001.
func binanceDecimals(step float64) int {
	if step <= 0 || step >= 1 {
		return 0
	}
	return int(math.Round(-math.Log10(step)))
}

func binanceNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// binanceRate formats rates and prices with 8 decimals, as Binance does.
func binanceRate(f float64) string { return strconv.FormatFloat(f, 'f', 8, 64) }

// Filters keep the real payload's key order, so the struct per type.
type binancePriceFilter struct {
	MinPrice   string `json:"minPrice"`
	MaxPrice   string `json:"maxPrice"`
	FilterType string `json:"filterType"`
	TickSize   string `json:"tickSize"`
}

type binanceLotFilter struct {
	StepSize   string `json:"stepSize"`
	FilterType string `json:"filterType"`
	MaxQty     string `json:"maxQty"`
	MinQty     string `json:"minQty"`
}

type binanceLimitFilter struct {
	Limit      int    `json:"limit"`
	FilterType string `json:"filterType"`
}

type binanceNotionalFilter struct {
	Notional   string `json:"notional"`
	FilterType string `json:"filterType"`
}

type binancePercentFilter struct {
	MultiplierDown    string `json:"multiplierDown"`
	MultiplierUp      string `json:"multiplierUp"`
	MultiplierDecimal string `json:"multiplierDecimal"`
	FilterType        string `json:"filterType"`
}

type binanceSymbolInfo struct {
	Symbol                string   `json:"symbol"`
	Pair                  string   `json:"pair"`
	ContractType          string   `json:"contractType"`
	DeliveryDate          int64    `json:"deliveryDate"`
	OnboardDate           int64    `json:"onboardDate"`
	Status                string   `json:"status,omitempty"`
	ContractStatus        string   `json:"contractStatus,omitempty"`
	ContractSize          int      `json:"contractSize,omitempty"`
	MaintMarginPercent    string   `json:"maintMarginPercent"`
	RequiredMarginPercent string   `json:"requiredMarginPercent"`
	BaseAsset             string   `json:"baseAsset"`
	QuoteAsset            string   `json:"quoteAsset"`
	MarginAsset           string   `json:"marginAsset"`
	PricePrecision        int      `json:"pricePrecision"`
	QuantityPrecision     int      `json:"quantityPrecision"`
	BaseAssetPrecision    int      `json:"baseAssetPrecision"`
	QuotePrecision        int      `json:"quotePrecision"`
	EqualQtyPrecision     int      `json:"equalQtyPrecision,omitempty"`
	UnderlyingType        string   `json:"underlyingType"`
	UnderlyingSubType     []string `json:"underlyingSubType"`
	SettlePlan            int      `json:"settlePlan"`
	TriggerProtect        string   `json:"triggerProtect"`
	LiquidationFee        string   `json:"liquidationFee"`
	MarketTakeBound       string   `json:"marketTakeBound"`
	MaxMoveOrderLimit     int      `json:"maxMoveOrderLimit"`
	Filters               []any    `json:"filters"`
	OrderTypes            []string `json:"orderTypes"`
	TimeInForce           []string `json:"timeInForce"`
}

type binanceRateLimit struct {
	RateLimitType string `json:"rateLimitType"`
	Interval      string `json:"interval"`
	IntervalNum   int    `json:"intervalNum"`
	Limit         int    `json:"limit"`
}

type binanceAsset struct {
	Asset             string `json:"asset"`
	MarginAvailable   bool   `json:"marginAvailable"`
	AutoAssetExchange string `json:"autoAssetExchange"`
}

type binanceExchangeInfo struct {
	Timezone        string              `json:"timezone"`
	ServerTime      int64               `json:"serverTime"`
	FuturesType     string              `json:"futuresType,omitempty"`
	RateLimits      []binanceRateLimit  `json:"rateLimits"`
	ExchangeFilters []any               `json:"exchangeFilters"`
	Assets          []binanceAsset      `json:"assets,omitempty"`
	Symbols         []binanceSymbolInfo `json:"symbols"`
}

func (b binanceAPI) exchangeInfo(rw http.ResponseWriter, _ *http.Request) {
	info := binanceExchangeInfo{
		Timezone:   "UTC",
		ServerTime: b.w.Now.UnixMilli(),
		RateLimits: []binanceRateLimit{
			{"REQUEST_WEIGHT", "MINUTE", 1, 2400},
			{"ORDERS", "MINUTE", 1, 1200},
			{"ORDERS", "SECOND", 10, 300},
		},
		ExchangeFilters: []any{},
		Symbols:         []binanceSymbolInfo{},
	}
	if !b.inverse {
		info.FuturesType = "U_MARGINED"
		info.Assets = []binanceAsset{
			{"USDT", true, "-10000"}, {"BTC", true, "-0.00100000"}, {"BNB", true, "-10"},
			{"ETH", true, "-5"}, {"USDC", true, "-10000"},
		}
	}
	for _, l := range b.listings() {
		info.Symbols = append(info.Symbols, b.symbolInfo(l))
	}
	binanceWrite(rw, http.StatusOK, info)
}

func (b binanceAPI) symbolInfo(l Listing) binanceSymbolInfo {
	delivery := int64(binancePerpetualDelivery)
	if !l.DeliveryAt.IsZero() {
		delivery = l.DeliveryAt.UnixMilli()
	}
	lot, minNotional := l.LotSize, l.MinNotional
	if b.inverse {
		lot, minNotional = 1, 0 // COIN-M orders are whole contracts, without a notional floor
	}
	maxPrice := l.Price * 100
	s := binanceSymbolInfo{
		Symbol:                binanceSymbol(l),
		Pair:                  l.Base + l.Quote,
		ContractType:          b.contractType(l),
		DeliveryDate:          delivery,
		OnboardDate:           l.ListedAt.UnixMilli(),
		MaintMarginPercent:    "2.5000",
		RequiredMarginPercent: "5.0000",
		BaseAsset:             l.Base,
		QuoteAsset:            l.Quote,
		MarginAsset:           l.Settle,
		PricePrecision:        binanceDecimals(l.TickSize),
		QuantityPrecision:     binanceDecimals(lot),
		BaseAssetPrecision:    8,
		QuotePrecision:        8,
		UnderlyingType:        "COIN",
		UnderlyingSubType:     []string{},
		TriggerProtect:        "0.0500",
		LiquidationFee:        "0.012500",
		MarketTakeBound:       "0.05",
		MaxMoveOrderLimit:     10000,
		Filters: []any{
			binancePriceFilter{binanceNum(l.TickSize), binanceNum(math.Round(maxPrice/l.TickSize) * l.TickSize), "PRICE_FILTER", binanceNum(l.TickSize)},
			binanceLotFilter{binanceNum(lot), "LOT_SIZE", "1000000", binanceNum(lot)},
			binanceLotFilter{binanceNum(lot), "MARKET_LOT_SIZE", "100000", binanceNum(lot)},
			binanceLimitFilter{200, "MAX_NUM_ORDERS"},
			binanceLimitFilter{10, "MAX_NUM_ALGO_ORDERS"},
		},
		OrderTypes:  []string{"LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"},
		TimeInForce: []string{"GTC", "IOC", "FOK", "GTX"},
	}
	if minNotional > 0 {
		s.Filters = append(s.Filters, binanceNotionalFilter{binanceNum(minNotional), "MIN_NOTIONAL"})
	}
	s.Filters = append(s.Filters, binancePercentFilter{"0.9500", "1.0500", "4", "PERCENT_PRICE"})
	if b.inverse {
		s.ContractStatus = binanceStatus(l)
		s.ContractSize = binanceContractSize(l)
		s.EqualQtyPrecision = 4
	} else {
		s.Status = binanceStatus(l)
	}
	return s
}

// binanceQuoted reports whether a listing trades, so it has a mark price
// and a ticker. Settled contracts keep their ticker for a while, as on
// Binance, so collectors must filter the ticker against exchangeInfo.
func binanceQuoted(l Listing, withSettled bool) bool {
	switch l.Status {
	case collectors.StatusTrading, collectors.StatusSuspended:
		return true
	case collectors.StatusSettling, collectors.StatusDelisted:
		return withSettled
	}
	return false
}

type binancePremiumIndex struct {
	Symbol               string `json:"symbol"`
	Pair                 string `json:"pair,omitempty"`
	MarkPrice            string `json:"markPrice"`
	IndexPrice           string `json:"indexPrice"`
	EstimatedSettlePrice string `json:"estimatedSettlePrice"`
	LastFundingRate      string `json:"lastFundingRate"`
	InterestRate         string `json:"interestRate"`
	NextFundingTime      int64  `json:"nextFundingTime"`
	Time                 int64  `json:"time"`
}

func (b binanceAPI) premiumIndex(rw http.ResponseWriter, _ *http.Request) {
	rows := []binancePremiumIndex{}
	for _, l := range b.listings() {
		if !binanceQuoted(l, false) {
			continue
		}
		p := binancePremiumIndex{
			Symbol:               binanceSymbol(l),
			MarkPrice:            binanceRate(l.Price),
			IndexPrice:           binanceRate(l.Price),
			EstimatedSettlePrice: binanceRate(l.Price),
			Time:                 b.w.Now.UnixMilli(),
		}
		if b.inverse {
			p.Pair = l.Base + l.Quote
		}
		// Delivery contracts have no funding: Binance sends "" and 0.
		if l.DeliveryAt.IsZero() {
			interval := time.Duration(l.FundingIntervalHours * float64(time.Hour))
			if interval <= 0 {
				interval = 8 * time.Hour
			}
			p.LastFundingRate = binanceRate(l.FundingRate)
			p.InterestRate = "0.00010000"
			p.NextFundingTime = b.w.Now.Truncate(interval).Add(interval).UnixMilli()
		}
		rows = append(rows, p)
	}
	binanceWrite(rw, http.StatusOK, rows)
}

type binanceFundingInfo struct {
	Symbol                   string `json:"symbol"`
	AdjustedFundingRateCap   string `json:"adjustedFundingRateCap"`
	AdjustedFundingRateFloor string `json:"adjustedFundingRateFloor"`
	FundingIntervalHours     int    `json:"fundingIntervalHours"`
	Disclaimer               bool   `json:"disclaimer"`
}

func (b binanceAPI) fundingInfo(rw http.ResponseWriter, _ *http.Request) {
	rows := []binanceFundingInfo{}
	for _, l := range b.listings() {
		if !l.DeliveryAt.IsZero() || l.Status == collectors.StatusDelisted {
			continue
		}
		interval := l.FundingIntervalHours
		if interval <= 0 {
			interval = 8
		}
		if interval == 8 && l.FundingCap == binanceDefaultCap && l.FundingFloor == -binanceDefaultCap {
			continue
		}
		rows = append(rows, binanceFundingInfo{
			Symbol:                   binanceSymbol(l),
			AdjustedFundingRateCap:   binanceRate(l.FundingCap),
			AdjustedFundingRateFloor: binanceRate(l.FundingFloor),
			FundingIntervalHours:     int(interval),
		})
	}
	binanceWrite(rw, http.StatusOK, rows)
}

// binanceTicker carries both APIs' fields: quoteVolume on /fapi, baseVolume
// and pair on /dapi (where volume counts contracts).
type binanceTicker struct {
	Symbol             string `json:"symbol"`
	Pair               string `json:"pair,omitempty"`
	PriceChange        string `json:"priceChange"`
	PriceChangePercent string `json:"priceChangePercent"`
	WeightedAvgPrice   string `json:"weightedAvgPrice"`
	LastPrice          string `json:"lastPrice"`
	LastQty            string `json:"lastQty"`
	OpenPrice          string `json:"openPrice"`
	HighPrice          string `json:"highPrice"`
	LowPrice           string `json:"lowPrice"`
	Volume             string `json:"volume"`
	QuoteVolume        string `json:"quoteVolume,omitempty"`
	BaseVolume         string `json:"baseVolume,omitempty"`
	OpenTime           int64  `json:"openTime"`
	CloseTime          int64  `json:"closeTime"`
	FirstID            int64  `json:"firstId"`
	LastID             int64  `json:"lastId"`
	Count              int64  `json:"count"`
}

func (b binanceAPI) ticker(rw http.ResponseWriter, _ *http.Request) {
	rows := []binanceTicker{}
	now := b.w.Now.UnixMilli()
	for i, l := range b.listings() {
		if !binanceQuoted(l, true) {
			continue
		}
		count := int64(l.Volume24hUSD/l.Price/10) + 1
		t := binanceTicker{
			Symbol:             binanceSymbol(l),
			PriceChange:        "0",
			PriceChangePercent: "0.000",
			WeightedAvgPrice:   binanceNum(l.Price),
			LastPrice:          binanceNum(l.Price),
			LastQty:            binanceNum(l.LotSize),
			OpenPrice:          binanceNum(l.Price),
			HighPrice:          binanceNum(l.Price),
			LowPrice:           binanceNum(l.Price),
			OpenTime:           now - 24*time.Hour.Milliseconds(),
			CloseTime:          now,
			FirstID:            int64(i) * 1e9,
			LastID:             int64(i)*1e9 + count - 1,
			Count:              count,
		}
		if b.inverse {
			t.Pair = l.Base + l.Quote
			t.LastQty = "1"
			t.Volume = binanceNum(math.Round(l.Volume24hUSD / float64(binanceContractSize(l))))
			t.BaseVolume = binanceNum(l.Volume24hUSD / l.Price)
		} else {
			t.Volume = binanceNum(l.Volume24hUSD / l.Price)
			t.QuoteVolume = binanceNum(l.Volume24hUSD)
		}
		rows = append(rows, t)
	}
	binanceWrite(rw, http.StatusOK, rows)
}

type binanceOpenInterest struct {
	Symbol       string `json:"symbol"`
	Pair         string `json:"pair,omitempty"`
	OpenInterest string `json:"openInterest"`
	ContractType string `json:"contractType,omitempty"`
	Time         int64  `json:"time"`
}

// openInterest answers for one symbol, in base coin on /fapi and in
// contracts on /dapi.
func (b binanceAPI) openInterest(rw http.ResponseWriter, r *http.Request) {
	symbol := r.URL.Query().Get("symbol")
	if symbol == "" {
		binanceWrite(rw, http.StatusBadRequest, map[string]any{"code": -1102, "msg": "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."})
		return
	}
	for _, l := range b.listings() {
		if binanceSymbol(l) != symbol {
			continue
		}
		oi := binanceOpenInterest{Symbol: symbol, Time: b.w.Now.UnixMilli()}
		if b.inverse {
			oi.Pair = l.Base + l.Quote
			oi.ContractType = b.contractType(l)
			oi.OpenInterest = binanceNum(math.Round(l.OpenInterestUSD / float64(binanceContractSize(l))))
		} else {
			oi.OpenInterest = binanceNum(l.OpenInterestUSD / l.Price)
		}
		binanceWrite(rw, http.StatusOK, oi)
		return
	}
	binanceWrite(rw, http.StatusBadRequest, map[string]any{"code": -1121, "msg": "Invalid symbol."})
}

func binanceWrite(rw http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(rw, fmt.Sprintf("sim: encode binance response: %v", err), http.StatusInternalServerError)
		return
	}
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(status)
	rw.Write(body)
}
