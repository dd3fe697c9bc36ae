package exchangetest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// Bybit v5 answers every API error with HTTP 200 and a retCode; 10001 is its
// generic "params error".
const bybitParamsError = 10001

// bybitStatuses are the v5 status names. Bybit has no suspended state, so a
// suspended listing is published under no status filter at all.
var bybitStatuses = map[collectors.Status]string{
	collectors.StatusPrelaunch: "PreLaunch",
	collectors.StatusTrading:   "Trading",
	collectors.StatusSettling:  "Delivering",
	collectors.StatusDelisted:  "Closed",
}

// registerBybit serves Bybit v5's public market endpoints for w.
func registerBybit(mux *http.ServeMux, w *World) {
	mux.HandleFunc("GET /v5/market/instruments-info", func(rw http.ResponseWriter, r *http.Request) {
		result, code, msg := bybitInstrumentsPage(w, r.URL.Query())
		writeBybit(rw, w, result, code, msg)
	})
	mux.HandleFunc("GET /v5/market/tickers", func(rw http.ResponseWriter, r *http.Request) {
		result, code, msg := bybitTickers(w, r.URL.Query())
		writeBybit(rw, w, result, code, msg)
	})
}

// BybitSymbol is the symbol Bybit lists l under: BTCUSDT, BTCPERP (USDC
// perpetual), BTCUSD (inverse), and for dated futures BTCUSDT-27MAR26,
// BTC-27MAR26 (USDC) or BTCUSDH26 (inverse).
func BybitSymbol(l Listing) string {
	perp := l.DeliveryAt.IsZero()
	day := strings.ToUpper(l.DeliveryAt.UTC().Format("02Jan06"))
	switch {
	case l.Inverse() && perp:
		return l.Base + "USD"
	case l.Inverse():
		month := "FGHJKMNQUVXZ"[l.DeliveryAt.UTC().Month()-1]
		return fmt.Sprintf("%sUSD%c%02d", l.Base, month, l.DeliveryAt.UTC().Year()%100)
	case l.Quote == "USDC" && perp:
		return l.Base + "PERP"
	case l.Quote == "USDC":
		return l.Base + "-" + day
	case perp:
		return l.Base + l.Quote
	default:
		return l.Base + l.Quote + "-" + day
	}
}

func bybitCategory(l Listing) string {
	if l.Inverse() {
		return "inverse"
	}
	return "linear"
}

type bybitEnvelope struct {
	RetCode    int      `json:"retCode"`
	RetMsg     string   `json:"retMsg"`
	Result     any      `json:"result"`
	RetExtInfo struct{} `json:"retExtInfo"`
	Time       int64    `json:"time"`
}

func writeBybit(rw http.ResponseWriter, w *World, result any, code int, msg string) {
	if code != 0 {
		result = struct{}{}
	} else {
		msg = "OK"
	}
	body, err := json.Marshal(bybitEnvelope{RetCode: code, RetMsg: msg, Result: result, Time: w.Now.UnixMilli()})
	if err != nil {
		http.Error(rw, err.Error(), http.StatusInternalServerError)
		return
	}
	rw.Header().Set("Content-Type", "application/json")
	rw.Write(body)
}

type bybitInstrumentList struct {
	Category       string            `json:"category"`
	List           []bybitInstrument `json:"list"`
	NextPageCursor string            `json:"nextPageCursor"`
}

type bybitInstrument struct {
	Symbol             string           `json:"symbol"`
	SymbolID           int              `json:"symbolId"`
	ContractType       string           `json:"contractType"`
	Status             string           `json:"status"`
	BaseCoin           string           `json:"baseCoin"`
	QuoteCoin          string           `json:"quoteCoin"`
	LaunchTime         string           `json:"launchTime"`
	DeliveryTime       string           `json:"deliveryTime"`
	DeliveryFeeRate    string           `json:"deliveryFeeRate"`
	PriceScale         string           `json:"priceScale"`
	LeverageFilter     bybitLeverage    `json:"leverageFilter"`
	PriceFilter        bybitPriceFilter `json:"priceFilter"`
	LotSizeFilter      bybitLotSize     `json:"lotSizeFilter"`
	UnifiedMarginTrade bool             `json:"unifiedMarginTrade"`
	FundingInterval    int              `json:"fundingInterval"`
	SettleCoin         string           `json:"settleCoin"`
	CopyTrading        string           `json:"copyTrading"`
	UpperFundingRate   string           `json:"upperFundingRate"`
	LowerFundingRate   string           `json:"lowerFundingRate"`
	DisplayName        string           `json:"displayName"`
	IsPreListing       bool             `json:"isPreListing"`
	PreListingInfo     *bybitPreListing `json:"preListingInfo"`
	RiskParameters     bybitRisk        `json:"riskParameters"`
	SymbolType         string           `json:"symbolType"`
}

type bybitLeverage struct {
	MinLeverage  string `json:"minLeverage"`
	MaxLeverage  string `json:"maxLeverage"`
	LeverageStep string `json:"leverageStep"`
}

type bybitPriceFilter struct {
	MinPrice string `json:"minPrice"`
	MaxPrice string `json:"maxPrice"`
	TickSize string `json:"tickSize"`
}

type bybitLotSize struct {
	MaxOrderQty         string `json:"maxOrderQty"`
	MinOrderQty         string `json:"minOrderQty"`
	QtyStep             string `json:"qtyStep"`
	PostOnlyMaxOrderQty string `json:"postOnlyMaxOrderQty"`
	MaxMktOrderQty      string `json:"maxMktOrderQty"`
	MinNotionalValue    string `json:"minNotionalValue"`
}

type bybitPreListing struct {
	CurAuctionPhase string           `json:"curAuctionPhase"`
	Phases          []bybitPhase     `json:"phases"`
	AuctionFeeInfo  bybitAuctionFees `json:"auctionFeeInfo"`
}

type bybitPhase struct {
	Phase     string `json:"phase"`
	StartTime string `json:"startTime"`
	EndTime   string `json:"endTime"`
}

type bybitAuctionFees struct {
	AuctionFeeRate string `json:"auctionFeeRate"`
	TakerFeeRate   string `json:"takerFeeRate"`
	MakerFeeRate   string `json:"makerFeeRate"`
}

type bybitRisk struct {
	PriceLimitRatioX string `json:"priceLimitRatioX"`
	PriceLimitRatioY string `json:"priceLimitRatioY"`
}

// bybitListed is one listing with the id Bybit gives it.
type bybitListed struct {
	Listing
	symbol string
	id     int
}

// bybitSelect returns the listings of one category whose rendered status
// passes keep, sorted by symbol as Bybit pages them.
func bybitSelect(w *World, category, symbol string, keep func(status string) bool) []bybitListed {
	var out []bybitListed
	for i, l := range w.Bybit {
		s := BybitSymbol(l)
		if bybitCategory(l) != category || (symbol != "" && s != symbol) || !keep(bybitStatuses[l.Status]) {
			continue
		}
		out = append(out, bybitListed{Listing: l, symbol: s, id: i + 1})
	}
	slices.SortFunc(out, func(a, b bybitListed) int { return strings.Compare(a.symbol, b.symbol) })
	return out
}

func bybitInstrumentsPage(w *World, q url.Values) (any, int, string) {
	category := q.Get("category")
	if category != "linear" && category != "inverse" {
		return nil, bybitParamsError, "params error: category is invalid"
	}
	status := q.Get("status")
	if status == "" {
		status = "Trading" // Bybit's default filter hides every other status
	}
	if !slices.Contains([]string{"PreLaunch", "Trading", "Delivering", "Closed"}, status) {
		return nil, bybitParamsError, "params error: status is invalid"
	}
	limit := 500
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return nil, bybitParamsError, "params error: limit must be between 1 and 1000"
		}
		limit = n
	}
	listed := bybitSelect(w, category, q.Get("symbol"), func(s string) bool { return s == status })
	start := 0
	if c := q.Get("cursor"); c != "" {
		last, ok := bybitCursorLast(c)
		if !ok {
			return nil, bybitParamsError, "params error: cursor is invalid"
		}
		start, _ = slices.BinarySearchFunc(listed, last, func(l bybitListed, s string) int {
			if l.symbol <= s {
				return -1
			}
			return 1
		})
	}
	end := min(start+limit, len(listed))
	page := bybitInstrumentList{Category: category, List: []bybitInstrument{}}
	for _, l := range listed[start:end] {
		page.List = append(page.List, bybitRenderInstrument(w, l))
	}
	if end < len(listed) {
		page.NextPageCursor = url.QueryEscape("first=" + listed[start].symbol + "&last=" + listed[end-1].symbol)
	}
	return page, 0, ""
}

// bybitCursorLast reads the last symbol of the previous page out of a cursor
// shaped like Bybit's ("first%3DBIOUSDT%26last%3DBIOUSDT").
func bybitCursorLast(cursor string) (string, bool) {
	raw, err := url.QueryUnescape(cursor)
	if err != nil {
		return "", false
	}
	v, err := url.ParseQuery(raw)
	if err != nil || v.Get("last") == "" {
		return "", false
	}
	return v.Get("last"), true
}

func bybitRenderInstrument(w *World, l bybitListed) bybitInstrument {
	contractType := "LinearPerpetual"
	switch {
	case l.Inverse() && l.DeliveryAt.IsZero():
		contractType = "InversePerpetual"
	case l.Inverse():
		contractType = "InverseFutures"
	case !l.DeliveryAt.IsZero():
		contractType = "LinearFutures"
	}
	deliveryFee := ""
	if !l.DeliveryAt.IsZero() {
		deliveryFee = "0.0005"
	}
	tickDec, lotDec := bybitDecimals(l.TickSize), bybitDecimals(l.LotSize)
	maxQty := bybitLotFloor(1e8/l.Price, l.LotSize)
	in := bybitInstrument{
		Symbol: l.symbol, SymbolID: l.id, ContractType: contractType, Status: bybitStatuses[l.Status],
		BaseCoin: l.Base, QuoteCoin: l.Quote, SettleCoin: l.Settle,
		LaunchTime: bybitMillis(l.ListedAt), DeliveryTime: bybitMillis(l.DeliveryAt), DeliveryFeeRate: deliveryFee,
		PriceScale: strconv.Itoa(tickDec),
		LeverageFilter: bybitLeverage{MinLeverage: "1", MaxLeverage: strconv.FormatFloat(l.MaxLeverage, 'f', 2, 64),
			LeverageStep: "0.01"},
		PriceFilter: bybitPriceFilter{MinPrice: strconv.FormatFloat(l.TickSize, 'f', tickDec, 64),
			MaxPrice: strconv.FormatFloat(l.TickSize*19999998, 'f', tickDec, 64),
			TickSize: strconv.FormatFloat(l.TickSize, 'f', tickDec, 64)},
		LotSizeFilter: bybitLotSize{
			MaxOrderQty: strconv.FormatFloat(maxQty, 'f', lotDec, 64), MinOrderQty: bybitNum(l.LotSize),
			QtyStep: bybitNum(l.LotSize), PostOnlyMaxOrderQty: strconv.FormatFloat(maxQty, 'f', lotDec, 64),
			MaxMktOrderQty:   strconv.FormatFloat(bybitLotFloor(maxQty/5, l.LotSize), 'f', lotDec, 64),
			MinNotionalValue: bybitNum(l.MinNotional)},
		UnifiedMarginTrade: true,
		FundingInterval:    int(math.Round(l.FundingIntervalHours * 60)),
		CopyTrading:        "both",
		UpperFundingRate:   bybitNum(l.FundingCap),
		LowerFundingRate:   bybitNum(l.FundingFloor),
		RiskParameters:     bybitRisk{PriceLimitRatioX: "0.01", PriceLimitRatioY: "0.02"},
	}
	if l.Status == collectors.StatusPrelaunch {
		in.CopyTrading = "none"
		in.IsPreListing = true
		in.PreListingInfo = bybitPreListingInfo(w.Now, l.ListedAt)
		in.RiskParameters = bybitRisk{PriceLimitRatioX: "0.05", PriceLimitRatioY: "0.1"}
	}
	return in
}

// bybitPhases are the pre-market auction phases and their lengths; the last
// one runs until the contract converts to a regular perpetual.
var bybitPhases = []struct {
	name string
	dur  time.Duration
}{{"CallAuction", 50 * time.Minute}, {"CallAuctionNoCancel", 5 * time.Minute}, {"CrossMatching", 5 * time.Minute},
	{"ContinuousTrading", 0}}

// bybitPreListingInfo schedules the auction a day after launch, as Bybit
// announces pre-market contracts ahead of their first auction.
func bybitPreListingInfo(now, launch time.Time) *bybitPreListing {
	info := &bybitPreListing{CurAuctionPhase: "NotStarted",
		AuctionFeeInfo: bybitAuctionFees{AuctionFeeRate: "0", TakerFeeRate: "0.001", MakerFeeRate: "0.0004"}}
	at := launch.Add(24 * time.Hour)
	for _, p := range bybitPhases {
		end := ""
		if p.dur > 0 {
			end = bybitMillis(at.Add(p.dur))
		}
		if !now.Before(at) && (p.dur == 0 || now.Before(at.Add(p.dur))) {
			info.CurAuctionPhase = p.name
		}
		info.Phases = append(info.Phases, bybitPhase{Phase: p.name, StartTime: bybitMillis(at), EndTime: end})
		at = at.Add(p.dur)
	}
	return info
}

type bybitTickerList struct {
	Category string        `json:"category"`
	List     []bybitTicker `json:"list"`
}

type bybitTicker struct {
	Symbol                 string `json:"symbol"`
	LastPrice              string `json:"lastPrice"`
	IndexPrice             string `json:"indexPrice"`
	MarkPrice              string `json:"markPrice"`
	PrevPrice24h           string `json:"prevPrice24h"`
	Price24hPcnt           string `json:"price24hPcnt"`
	HighPrice24h           string `json:"highPrice24h"`
	LowPrice24h            string `json:"lowPrice24h"`
	PrevPrice1h            string `json:"prevPrice1h"`
	OpenInterest           string `json:"openInterest"`
	OpenInterestValue      string `json:"openInterestValue"`
	Turnover24h            string `json:"turnover24h"`
	Volume24h              string `json:"volume24h"`
	FundingRate            string `json:"fundingRate"`
	NextFundingTime        string `json:"nextFundingTime"`
	PredictedDeliveryPrice string `json:"predictedDeliveryPrice"`
	BasisRate              string `json:"basisRate"`
	DeliveryFeeRate        string `json:"deliveryFeeRate"`
	DeliveryTime           string `json:"deliveryTime"`
	Ask1Size               string `json:"ask1Size"`
	Bid1Price              string `json:"bid1Price"`
	Ask1Price              string `json:"ask1Price"`
	Bid1Size               string `json:"bid1Size"`
	Basis                  string `json:"basis"`
	PreOpenPrice           string `json:"preOpenPrice"`
	PreQty                 string `json:"preQty"`
	CurPreListingPhase     string `json:"curPreListingPhase"`
	FundingIntervalHour    string `json:"fundingIntervalHour"`
	BasisRateYear          string `json:"basisRateYear"`
	FundingCap             string `json:"fundingCap"`
}

func bybitTickers(w *World, q url.Values) (any, int, string) {
	category := q.Get("category")
	if category != "linear" && category != "inverse" {
		return nil, bybitParamsError, "params error: category is invalid"
	}
	// Tickers carry every contract that still trades in some form,
	// whatever instruments-info's status filter would show.
	live := func(s string) bool { return s == "Trading" || s == "PreLaunch" || s == "Delivering" }
	out := bybitTickerList{Category: category, List: []bybitTicker{}}
	for _, l := range bybitSelect(w, category, q.Get("symbol"), live) {
		out.List = append(out.List, bybitRenderTicker(w.Now, l))
	}
	return out, 0, ""
}

func bybitRenderTicker(now time.Time, l bybitListed) bybitTicker {
	prev24 := round(l.Price / 1.02)
	lotDec := bybitDecimals(l.LotSize)
	t := bybitTicker{
		Symbol: l.symbol, LastPrice: bybitNum(l.Price), IndexPrice: bybitNum(l.Price), MarkPrice: bybitNum(l.Price),
		PrevPrice24h: bybitNum(prev24), Price24hPcnt: strconv.FormatFloat((l.Price-prev24)/prev24, 'f', 6, 64),
		HighPrice24h: bybitNum(round(l.Price * 1.03)), LowPrice24h: bybitNum(round(l.Price * 0.97)),
		PrevPrice1h:  bybitNum(l.Price),
		DeliveryTime: bybitMillis(l.DeliveryAt),
		Ask1Size:     bybitNum(l.LotSize * 100), Bid1Price: bybitNum(round(l.Price - l.TickSize)),
		Ask1Price: bybitNum(l.Price), Bid1Size: bybitNum(l.LotSize * 120),
	}
	if l.Inverse() {
		// Inverse units flip: sizes count USD contracts, values are in coin.
		t.Volume24h = strconv.FormatFloat(l.Volume24hUSD, 'f', 4, 64)
		t.Turnover24h = strconv.FormatFloat(l.Volume24hUSD/l.Price, 'f', 4, 64)
		t.OpenInterest = bybitNum(l.OpenInterestUSD)
		t.OpenInterestValue = strconv.FormatFloat(l.OpenInterestUSD/l.Price, 'f', 2, 64)
	} else {
		t.Volume24h = strconv.FormatFloat(l.Volume24hUSD/l.Price, 'f', lotDec, 64)
		t.Turnover24h = strconv.FormatFloat(l.Volume24hUSD, 'f', 4, 64)
		t.OpenInterest = strconv.FormatFloat(l.OpenInterestUSD/l.Price, 'f', lotDec, 64)
		t.OpenInterestValue = strconv.FormatFloat(l.OpenInterestUSD, 'f', 2, 64)
	}
	switch {
	case !l.DeliveryAt.IsZero():
		// Dated futures pay no funding; they carry a basis instead.
		t.DeliveryFeeRate = "0.0005"
		t.Basis = bybitNum(round(l.Price * 0.001))
		t.BasisRate = "0.001"
		days := l.DeliveryAt.Sub(now).Hours() / 24
		if days > 0 {
			t.BasisRateYear = strconv.FormatFloat(0.001*365/days, 'f', 6, 64)
		}
	case l.Status == collectors.StatusPrelaunch:
		// Pre-market contracts pay no funding until they convert.
		t.CurPreListingPhase = bybitPreListingInfo(now, l.ListedAt).CurAuctionPhase
		t.PreOpenPrice = bybitNum(l.Price)
		t.PreQty = bybitNum(l.LotSize * 1000)
	default:
		interval := time.Duration(l.FundingIntervalHours * float64(time.Hour))
		t.FundingRate = bybitNum(l.FundingRate)
		t.NextFundingTime = bybitMillis(now.Truncate(interval).Add(interval))
		t.FundingIntervalHour = bybitNum(l.FundingIntervalHours)
		t.FundingCap = bybitNum(l.FundingCap)
	}
	return t
}

// bybitNum renders a number the way Bybit sends most numbers: as a decimal
// string, exact enough to parse back to the same float.
func bybitNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// bybitMillis renders a time as Bybit's string milliseconds, "0" for none.
func bybitMillis(t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return strconv.FormatInt(t.UnixMilli(), 10)
}

// bybitDecimals counts the decimal places of a step such as 0.001.
func bybitDecimals(step float64) int {
	s := bybitNum(step)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

func bybitLotFloor(qty, lot float64) float64 {
	if lot <= 0 {
		return qty
	}
	return math.Max(lot, math.Floor(qty/lot)*lot)
}
