package exchangetest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// registerOKX serves OKX v5's public SWAP endpoints for w.OKX. OKX lists
// plain coins (PEPE-USDT-SWAP with a large ctVal) where the model may hold a
// multiplier name (1000PEPE), so a listing is rendered with the prefix
// folded into ctVal and the price; USD volume and open interest stay equal.
func registerOKX(mux *http.ServeMux, w *World) {
	mux.HandleFunc("GET /api/v5/public/instruments", func(rw http.ResponseWriter, r *http.Request) {
		instType, ok := okxInstType(rw, r)
		if !ok {
			return
		}
		data := []okxInstrument{}
		for i, l := range w.OKX {
			if instType == "SWAP" && okxSwap(l) {
				data = append(data, newOKXInstrument(i, l))
			}
		}
		writeOKX(rw, http.StatusOK, "0", "", data)
	})
	mux.HandleFunc("GET /api/v5/public/funding-rate", func(rw http.ResponseWriter, r *http.Request) {
		instID := r.URL.Query().Get("instId")
		if instID == "" {
			writeOKX(rw, http.StatusBadRequest, "50014", "Parameter instId can not be empty", []any{})
			return
		}
		data := []okxFunding{}
		for _, l := range w.OKX {
			if okxTraded(l) && (instID == "ANY" || instID == okxInstID(l)) {
				data = append(data, newOKXFunding(w.Now, l))
			}
		}
		if instID != "ANY" && len(data) == 0 {
			writeOKX(rw, http.StatusOK, "51001", "Instrument ID does not exist", []any{})
			return
		}
		writeOKX(rw, http.StatusOK, "0", "", data)
	})
	mux.HandleFunc("GET /api/v5/market/tickers", func(rw http.ResponseWriter, r *http.Request) {
		instType, ok := okxInstType(rw, r)
		if !ok {
			return
		}
		data := []okxTicker{}
		for _, l := range w.OKX {
			if instType == "SWAP" && okxTraded(l) {
				data = append(data, newOKXTicker(w.Now, l))
			}
		}
		writeOKX(rw, http.StatusOK, "0", "", data)
	})
	mux.HandleFunc("GET /api/v5/public/open-interest", func(rw http.ResponseWriter, r *http.Request) {
		instType, ok := okxInstType(rw, r)
		if !ok {
			return
		}
		data := []okxOpenInterest{}
		for _, l := range w.OKX {
			if instType == "SWAP" && okxTraded(l) {
				data = append(data, newOKXOpenInterest(w.Now, l))
			}
		}
		writeOKX(rw, http.StatusOK, "0", "", data)
	})
}

// okxInstType answers the error OKX gives when instType is missing.
func okxInstType(rw http.ResponseWriter, r *http.Request) (string, bool) {
	t := r.URL.Query().Get("instType")
	if t == "" {
		writeOKX(rw, http.StatusBadRequest, "50014", "Parameter instType can not be empty", []any{})
		return "", false
	}
	return t, true
}

func writeOKX(rw http.ResponseWriter, status int, code, msg string, data any) {
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(status)
	_ = json.NewEncoder(rw).Encode(struct {
		Code string `json:"code"`
		Data any    `json:"data"`
		Msg  string `json:"msg"`
	}{code, data, msg})
}

// okxSwap reports whether a listing is a listed perpetual: OKX drops
// delisted swaps from its lists, and dated contracts are FUTURES, not SWAP.
func okxSwap(l Listing) bool {
	return l.DeliveryAt.IsZero() && l.Status != collectors.StatusDelisted
}

// okxTraded reports whether a swap has a market: pre-open swaps publish no
// funding, ticker or open interest.
func okxTraded(l Listing) bool {
	return okxSwap(l) && l.Status != collectors.StatusPrelaunch
}

// okxUnits is a listing in OKX's units: the plain coin, the price of one
// coin and the contract value (coins per contract, USD for inverse).
type okxUnits struct {
	coin         string
	price, tick  float64
	ctVal        float64
	lotContracts float64
}

func okxUnitsOf(l Listing) okxUnits {
	m := collectors.Multiplier(l.Base)
	size := l.ContractSize
	if size <= 0 {
		size = 1 // a hand-built Listing without a contract size
	}
	u := okxUnits{coin: collectors.Coin(l.Base), price: round(l.Price / m), tick: round(l.TickSize / m)}
	if l.Inverse() {
		u.ctVal, u.lotContracts = size, l.LotSize
		return u
	}
	u.ctVal = round(size * m)
	u.lotContracts = round(l.LotSize / size)
	return u
}

// okxDiv keeps a listing without a price from rendering as Inf.
func okxDiv(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func okxInstID(l Listing) string {
	return collectors.Coin(l.Base) + "-" + l.Quote + "-SWAP"
}

func okxNum(f float64) string { return strconv.FormatFloat(round(f), 'f', -1, 64) }

func okxMillis(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(t.UnixMilli(), 10)
}

type okxInstrument struct {
	Alias             string   `json:"alias"`
	AuctionEndTime    string   `json:"auctionEndTime"`
	BaseCcy           string   `json:"baseCcy"`
	Category          string   `json:"category"`
	ContTdSwTime      string   `json:"contTdSwTime"`
	CtMult            string   `json:"ctMult"`
	CtType            string   `json:"ctType"`
	CtVal             string   `json:"ctVal"`
	CtValCcy          string   `json:"ctValCcy"`
	ExpTime           string   `json:"expTime"`
	FutureSettlement  bool     `json:"futureSettlement"`
	GroupID           string   `json:"groupId"`
	InstFamily        string   `json:"instFamily"`
	InstID            string   `json:"instId"`
	InstIDCode        int      `json:"instIdCode"`
	InstType          string   `json:"instType"`
	Lever             string   `json:"lever"`
	ListTime          string   `json:"listTime"`
	LotSz             string   `json:"lotSz"`
	MaxIcebergSz      string   `json:"maxIcebergSz"`
	MaxLmtAmt         string   `json:"maxLmtAmt"`
	MaxLmtSz          string   `json:"maxLmtSz"`
	MaxMktAmt         string   `json:"maxMktAmt"`
	MaxMktSz          string   `json:"maxMktSz"`
	MaxPlatOILmt      string   `json:"maxPlatOILmt"`
	MaxStopSz         string   `json:"maxStopSz"`
	MaxTriggerSz      string   `json:"maxTriggerSz"`
	MaxTwapSz         string   `json:"maxTwapSz"`
	MinSz             string   `json:"minSz"`
	OpenType          string   `json:"openType"`
	OptType           string   `json:"optType"`
	PosLmtAmt         string   `json:"posLmtAmt"`
	PosLmtPct         string   `json:"posLmtPct"`
	PreMktSwTime      string   `json:"preMktSwTime"`
	QuoteCcy          string   `json:"quoteCcy"`
	RuleType          string   `json:"ruleType"`
	SettleCcy         string   `json:"settleCcy"`
	State             string   `json:"state"`
	Stk               string   `json:"stk"`
	TickSz            string   `json:"tickSz"`
	TradeQuoteCcyList []string `json:"tradeQuoteCcyList"`
	Uly               string   `json:"uly"`
	UpcChg            []any    `json:"upcChg"`
}

// okxState renders a normalized status as OKX's instrument state. OKX has
// no settling state for swaps; a contract winding down is suspended.
func okxState(s collectors.Status) string {
	switch s {
	case collectors.StatusPrelaunch:
		return "preopen"
	case collectors.StatusSuspended, collectors.StatusSettling:
		return "suspend"
	case collectors.StatusUnknown:
		return "test"
	}
	return "live"
}

func newOKXInstrument(i int, l Listing) okxInstrument {
	u := okxUnitsOf(l)
	family := u.coin + "-" + l.Quote
	ctType, ctValCcy := "linear", u.coin
	if l.Inverse() {
		ctType, ctValCcy = "inverse", l.Quote
	}
	openType := ""
	if l.Status == collectors.StatusPrelaunch {
		openType = "call_auction"
	}
	return okxInstrument{
		Category: "1", CtMult: "1", CtType: ctType, CtVal: okxNum(u.ctVal), CtValCcy: ctValCcy,
		GroupID: "1", InstFamily: family, InstID: okxInstID(l), InstIDCode: 10000 + i, InstType: "SWAP",
		Lever: okxNum(l.MaxLeverage), ListTime: okxMillis(l.ListedAt),
		LotSz: okxNum(u.lotContracts), MinSz: okxNum(u.lotContracts),
		MaxIcebergSz: "100000000.0000000000000000", MaxLmtAmt: "20000000", MaxLmtSz: "100000000",
		MaxMktSz: "20000", MaxStopSz: "20000",
		MaxTriggerSz: "100000000.0000000000000000", MaxTwapSz: "100000000.0000000000000000",
		OpenType: openType, RuleType: "normal", SettleCcy: l.Settle, State: okxState(l.Status),
		TickSz: okxNum(u.tick), TradeQuoteCcyList: []string{}, Uly: family, UpcChg: []any{},
	}
}

type okxFunding struct {
	FormulaType     string `json:"formulaType"`
	FundingRate     string `json:"fundingRate"`
	FundingTime     string `json:"fundingTime"`
	ImpactValue     string `json:"impactValue"`
	InstID          string `json:"instId"`
	InstType        string `json:"instType"`
	InterestRate    string `json:"interestRate"`
	MaxFundingRate  string `json:"maxFundingRate"`
	Method          string `json:"method"`
	MinFundingRate  string `json:"minFundingRate"`
	NextFundingRate string `json:"nextFundingRate"`
	NextFundingTime string `json:"nextFundingTime"`
	Premium         string `json:"premium"`
	PrevFundingTime string `json:"prevFundingTime"`
	SettFundingRate string `json:"settFundingRate"`
	SettState       string `json:"settState"`
	TS              string `json:"ts"`
}

// newOKXFunding places the settlements on the UTC grid of the listing's
// interval: fundingTime is the upcoming one, strictly after now, as on OKX.
func newOKXFunding(now time.Time, l Listing) okxFunding {
	hours := l.FundingIntervalHours
	if hours <= 0 {
		hours = 8
	}
	interval := time.Duration(hours * float64(time.Hour))
	next := now.Truncate(interval).Add(interval)
	return okxFunding{
		FormulaType: "withRate", FundingRate: okxNum(l.FundingRate), FundingTime: okxMillis(next),
		ImpactValue: "20000.0000000000000000", InstID: okxInstID(l), InstType: "SWAP",
		InterestRate: "0.0001000000000000", MaxFundingRate: okxNum(l.FundingCap), Method: "current_period",
		MinFundingRate: okxNum(l.FundingFloor), NextFundingTime: okxMillis(next.Add(interval)),
		Premium: okxNum(l.FundingRate - 0.0001), PrevFundingTime: okxMillis(next.Add(-interval)),
		SettFundingRate: okxNum(l.FundingRate * 0.9), SettState: "settled", TS: okxMillis(now),
	}
}

type okxTicker struct {
	InstType  string `json:"instType"`
	InstID    string `json:"instId"`
	Last      string `json:"last"`
	LastSz    string `json:"lastSz"`
	AskPx     string `json:"askPx"`
	AskSz     string `json:"askSz"`
	BidPx     string `json:"bidPx"`
	BidSz     string `json:"bidSz"`
	Open24h   string `json:"open24h"`
	High24h   string `json:"high24h"`
	Low24h    string `json:"low24h"`
	VolCcy24h string `json:"volCcy24h"`
	Vol24h    string `json:"vol24h"`
	SodUtc0   string `json:"sodUtc0"`
	SodUtc8   string `json:"sodUtc8"`
	TS        string `json:"ts"`
}

// newOKXTicker gives volumes as OKX does: vol24h in contracts, volCcy24h
// in coins.
func newOKXTicker(now time.Time, l Listing) okxTicker {
	u := okxUnitsOf(l)
	coins := okxDiv(l.Volume24hUSD, u.price)
	contracts := coins / u.ctVal
	if l.Inverse() {
		contracts = l.Volume24hUSD / u.ctVal
	}
	return okxTicker{
		InstType: "SWAP", InstID: okxInstID(l), Last: okxNum(u.price), LastSz: "1",
		AskPx: okxNum(u.price + u.tick), AskSz: "25", BidPx: okxNum(u.price), BidSz: "50",
		Open24h: okxNum(u.price * 0.98), High24h: okxNum(u.price * 1.03), Low24h: okxNum(u.price * 0.96),
		VolCcy24h: okxNum(coins), Vol24h: okxNum(contracts),
		SodUtc0: okxNum(u.price * 0.99), SodUtc8: okxNum(u.price * 1.01), TS: okxMillis(now),
	}
}

type okxOpenInterest struct {
	InstID   string `json:"instId"`
	InstType string `json:"instType"`
	OI       string `json:"oi"`
	OICcy    string `json:"oiCcy"`
	OIUsd    string `json:"oiUsd"`
	TS       string `json:"ts"`
}

func newOKXOpenInterest(now time.Time, l Listing) okxOpenInterest {
	u := okxUnitsOf(l)
	coins := okxDiv(l.OpenInterestUSD, u.price)
	contracts := coins / u.ctVal
	if l.Inverse() {
		contracts = l.OpenInterestUSD / u.ctVal
	}
	return okxOpenInterest{
		InstID: okxInstID(l), InstType: "SWAP", OI: okxNum(contracts), OICcy: okxNum(coins),
		OIUsd: okxNum(l.OpenInterestUSD), TS: okxMillis(now),
	}
}
