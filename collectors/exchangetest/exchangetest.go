// Package exchangetest is test support, not production code: it serves the
// public REST APIs of Binance, Bybit and OKX from one normalized market
// model, so collectors can be tested, benchmarked and recorded into the
// demo cassettes without the network. Each exchange's file
// renders the model in that exchange's own JSON shapes and paths; the paths
// of the three never collide, so one Handler serves them all.
package exchangetest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// Listing is one contract on one exchange, in normalized units.
type Listing struct {
	Base, Quote, Settle string    // BTC USDT USDT; inverse: BTC USD BTC
	DeliveryAt          time.Time // zero for a perpetual
	Status              collectors.Status
	ListedAt            time.Time

	TickSize, LotSize, MinNotional, MaxLeverage float64
	ContractSize                                float64 // coins per contract (linear), USD per contract (inverse)

	FundingIntervalHours     float64
	FundingCap, FundingFloor float64
	FundingRate              float64

	Price, Volume24hUSD, OpenInterestUSD float64
}

// Inverse reports whether the contract is margined in the base coin.
func (l Listing) Inverse() bool { return l.Settle == l.Base && l.Quote == "USD" }

// World is what every exchange publishes at one moment.
type World struct {
	Now     time.Time
	Binance []Listing
	Bybit   []Listing
	OKX     []Listing

	// Each exchange's fee page and our account's rates.
	BinanceFees, BybitFees, OKXFees Fees
	// The announcement feeds, oldest first, and the yield products.
	BinanceNews, BybitNews, OKXNews []Article
	BybitEarn, OKXEarn              []Earn
}

// Options change how the Handler answers.
type Options struct {
	Latency time.Duration // added to every request
}

// Handler serves the three exchanges' public endpoints for w.
func Handler(w *World, opts Options) http.Handler {
	mux := http.NewServeMux()
	registerBinance(mux, w)
	registerBybit(mux, w)
	registerOKX(mux, w)
	registerFees(mux, w)
	registerHistory(mux, w)
	registerAnnouncements(mux, w)
	if opts.Latency <= 0 {
		return mux
	}
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		time.Sleep(opts.Latency)
		mux.ServeHTTP(rw, r)
	})
}

// Generate builds a world of n USDT perpetuals per exchange (binance,
// bybit, okx), with realistic names, sizes and rates, the same for the same
// seed. Every exchange with n > 0 also lists the BTC and ETH inverse
// perpetuals, as all three do; Bybit and OKX also offer a few yield
// products. The announcement feeds start empty.
func Generate(seed uint64, now time.Time, binance, bybit, okx int) *World {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	w := &World{Now: now.UTC()}
	w.Binance = generate(rng, now, binance, "USDT")
	w.Bybit = generate(rng, now, bybit, "USDT")
	w.OKX = generate(rng, now, okx, "USDT")
	w.BinanceFees, w.BybitFees, w.OKXFees = DefaultFees(0.0002, 0.0005), DefaultFees(0.0002, 0.00055), DefaultFees(0.0002, 0.0005)
	if bybit > 0 {
		w.BybitEarn = []Earn{{"FlexibleSaving", "USDT", 0.05, 0}, {"FlexibleSaving", "USDC", 0.045, 0},
			{"FlexibleSaving", "BTC", 0.01, 0}, {"OnChain", "ETH", 0.032, 30}, {"OnChain", "SOL", 0.061, 0}}
	}
	if okx > 0 {
		w.OKXEarn = []Earn{{"savings", "USDT", 0.0421, 0}, {"savings", "USDC", 0.038, 0}, {"savings", "BTC", 0.008, 0},
			{"savings", "ETH", 0.019, 0}}
	}
	return w
}

// inverse lists the coin-margined perpetuals every exchange has.
func inverse(now time.Time) []Listing {
	listed := now.AddDate(-5, 0, 0).Truncate(24 * time.Hour).UTC()
	l := func(base string, size, price, vol float64) Listing {
		return Listing{Base: base, Quote: "USD", Settle: base, Status: collectors.StatusTrading, ListedAt: listed,
			TickSize: 0.1, LotSize: 1, MaxLeverage: 125, ContractSize: size,
			FundingIntervalHours: 8, FundingCap: 0.0075, FundingFloor: -0.0075, FundingRate: 0.0001,
			Price: price, Volume24hUSD: vol, OpenInterestUSD: vol / 3}
	}
	return []Listing{l("BTC", 100, 91234.5, 2.1e9), l("ETH", 10, 3120.4, 9.4e8)}
}

// Well-known coins first, then made-up ones, so big worlds stay unique.
var coins = []string{"BTC", "ETH", "SOL", "XRP", "DOGE", "BNB", "ADA", "AVAX", "LINK", "TON",
	"1000PEPE", "SUI", "LTC", "DOT", "TRX", "NEAR", "APT", "ARB", "OP", "WIF", "1000BONK",
	"INJ", "TIA", "SEI", "FIL", "ATOM", "UNI", "AAVE", "ETC", "BCH", "ORDI", "JUP", "ENA",
	"WLD", "PYTH", "STRK", "ONDO", "TAO", "RENDER", "FET", "HBAR", "XLM", "ICP", "KAS", "MKR"}

func coinName(i int) string {
	if i < len(coins) {
		return coins[i]
	}
	// AAA1, AAB1, ... stay valid tickers.
	j := i - len(coins)
	return fmt.Sprintf("%c%c%c%d", 'A'+j/676%26, 'A'+j/26%26, 'A'+j%26, j/17576+1)
}

func generate(rng *rand.Rand, now time.Time, n int, quote string) []Listing {
	if n == 0 {
		return nil
	}
	out := make([]Listing, 0, n+2)
	for i := range n {
		price := 50000 / math.Pow(1.6, float64(i))
		if price < 0.0005 {
			price = 0.0005 + rng.Float64()*2
		}
		tick := math.Pow(10, math.Floor(math.Log10(price))-4)
		vol := 2e10 / math.Pow(1.35, float64(i)) * (0.7 + 0.6*rng.Float64())
		l := Listing{
			Base: coinName(i), Quote: quote, Settle: quote,
			Status:   collectors.StatusTrading,
			ListedAt: now.AddDate(0, 0, -30-rng.IntN(1500)).Truncate(time.Hour).UTC(),
			TickSize: round(tick), LotSize: round(math.Pow(10, math.Ceil(math.Log10(10/price)))),
			MinNotional: 5, MaxLeverage: []float64{125, 100, 75, 50, 25, 20}[min(i/8, 5)],
			ContractSize:         1,
			FundingIntervalHours: []float64{8, 8, 8, 4}[rng.IntN(4)],
			FundingCap:           0.02, FundingFloor: -0.02,
			FundingRate:     round(0.0001 + (rng.Float64()-0.5)*0.0004),
			Price:           round(price),
			Volume24hUSD:    math.Round(vol),
			OpenInterestUSD: math.Round(vol * (0.2 + 0.3*rng.Float64())),
		}
		if i < 3 {
			l.FundingIntervalHours = 8
		}
		out = append(out, l)
	}
	return append(out, inverse(now)...)
}

// round keeps 8 significant digits so rendered decimals stay short.
func round(f float64) float64 {
	if f == 0 {
		return 0
	}
	scale := math.Pow(10, 8-math.Ceil(math.Log10(math.Abs(f))))
	return math.Round(f*scale) / scale
}
