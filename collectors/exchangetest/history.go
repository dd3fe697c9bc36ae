package exchangetest

import (
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// HistoryDays is how far back the simulated funding history goes (OKX
// keeps about three months; the others more, but tests need no more).
const HistoryDays = 100

// Settlement is one settled funding rate of the simulated history.
type Settlement struct {
	At   time.Time
	Rate float64
}

// History is the funding history the simulator publishes for l, oldest
// first: one settlement every funding interval since it was listed, at
// most HistoryDays back from the world's time.
func (w *World) History(l Listing) []Settlement {
	every := time.Duration(l.FundingIntervalHours * float64(time.Hour))
	if every <= 0 || !l.DeliveryAt.IsZero() {
		return nil
	}
	start := w.Now.Add(-HistoryDays * 24 * time.Hour)
	if l.ListedAt.After(start) {
		start = l.ListedAt
	}
	start = start.Truncate(every).Add(every)
	var out []Settlement
	for at := start; !at.After(w.Now); at = at.Add(every) {
		out = append(out, Settlement{At: at, Rate: round(l.FundingRate * (1 + 0.5*math.Sin(float64(at.Unix()/3600)/7)))})
	}
	return out
}

func registerHistory(mux *http.ServeMux, w *World) {
	find := func(ls []Listing, id func(Listing) string, symbol string) (Listing, bool) {
		i := slices.IndexFunc(ls, func(l Listing) bool { return id(l) == symbol })
		if i < 0 {
			return Listing{}, false
		}
		return ls[i], true
	}
	binanceHistory := func(rw http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		from, to, limit := millis(q, "startTime", 0), millis(q, "endTime", math.MaxInt64), limitOf(q, 100, 1000)
		rows := []map[string]any{}
		if l, ok := find(w.Binance, binanceSymbol, q.Get("symbol")); ok {
			for _, s := range w.History(l) {
				if ms := s.At.UnixMilli(); ms >= from && ms <= to && len(rows) < limit {
					rows = append(rows, map[string]any{"symbol": binanceSymbol(l), "fundingRate": strconv.FormatFloat(s.Rate, 'f', 8, 64),
						"fundingTime": ms, "markPrice": strconv.FormatFloat(l.Price, 'f', 8, 64)})
				}
			}
		}
		binanceWrite(rw, http.StatusOK, rows)
	}
	mux.HandleFunc("GET /fapi/v1/fundingRate", binanceHistory) // USDⓈ-M and COIN-M answer alike
	mux.HandleFunc("GET /dapi/v1/fundingRate", binanceHistory)
	mux.HandleFunc("GET /v5/market/funding/history", func(rw http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Has("startTime") && !q.Has("endTime") {
			writeBybit(rw, w, nil, 10001, "params error: endTime is required with startTime")
			return
		}
		from, to, limit := millis(q, "startTime", 0), millis(q, "endTime", math.MaxInt64), limitOf(q, 200, 200)
		rows := []map[string]string{}
		if l, ok := find(w.Bybit, BybitSymbol, q.Get("symbol")); ok && q.Get("category") == bybitCategory(l) {
			h := w.History(l)
			for i := len(h) - 1; i >= 0 && len(rows) < limit; i-- {
				if ms := h[i].At.UnixMilli(); ms >= from && ms <= to {
					rows = append(rows, map[string]string{"symbol": BybitSymbol(l), "fundingRate": bybitNum(h[i].Rate),
						"fundingRateTimestamp": strconv.FormatInt(ms, 10)})
				}
			}
		}
		writeBybit(rw, w, map[string]any{"category": q.Get("category"), "list": rows}, 0, "")
	})
	mux.HandleFunc("GET /api/v5/public/funding-rate-history", func(rw http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		l, ok := find(w.OKX, okxInstID, q.Get("instId"))
		if !ok || !okxSwap(l) {
			writeOKX(rw, http.StatusOK, "51001", "Instrument ID does not exist", []any{})
			return
		}
		after, before, limit := millis(q, "after", math.MaxInt64), millis(q, "before", 0), limitOf(q, 100, 100)
		rows := []map[string]string{}
		h := w.History(l)
		for i := len(h) - 1; i >= 0 && len(rows) < limit; i-- {
			if ms := h[i].At.UnixMilli(); ms < after && ms > before {
				rate := okxNum(h[i].Rate)
				rows = append(rows, map[string]string{"instType": "SWAP", "instId": okxInstID(l), "formulaType": "withRate",
					"fundingRate": rate, "realizedRate": rate, "fundingTime": strconv.FormatInt(ms, 10), "method": "current_period"})
			}
		}
		writeOKX(rw, http.StatusOK, "0", "", rows)
	})
}

// millis reads a millisecond time parameter, def when absent or unusable.
func millis(q url.Values, key string, def int64) int64 {
	v, err := strconv.ParseInt(q.Get(key), 10, 64)
	if err != nil {
		return def
	}
	return v
}

func limitOf(q url.Values, def, most int) int {
	n, err := strconv.Atoi(q.Get("limit"))
	if err != nil || n <= 0 {
		return def
	}
	return min(n, most)
}
