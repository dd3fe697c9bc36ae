package configs

import (
	"slices"
	"time"

	"github.com/rivalwatch/rivalwatch/diff"
	"github.com/rivalwatch/rivalwatch/reports"
)

// Default is the configuration before any file is read. It is the one
// source of defaults: the documented example configs/rivalwatch.yaml must
// decode to exactly this (a test holds them together).
func Default() Config {
	d := diff.DefaultConfig()
	return Config{
		Database:  "rivalwatch.db",
		UserAgent: "rivalwatch/1.0 (competitor monitoring; public market data only)",
		HTTP:      HTTP{Timeout: 15 * time.Second, Retries: 2, MaxRetryWait: 5 * time.Second, MaxBodyMB: 32},
		Collect:   Collect{Kinds: []string{"instruments", "funding", "market", "announcements", "yield"}, MinCountRatio: 0.5},
		Exchanges: Exchanges{
			Binance: Binance{Limits: Limits{Enabled: true, RequestsPerSecond: 20, Burst: 60},
				REST:            BinanceREST{USDM: "https://fapi.binance.com", COINM: "https://dapi.binance.com", Web: "https://www.binance.com"},
				Websocket:       BinanceWS{USDM: "wss://fstream.binance.com"},
				OpenInterestTop: 50, Concurrency: 20,
				Announcements: BinanceAnnouncements{Catalogs: []int{48, 93, 161, 49, 128}, PageSize: 20}},
			Bybit: Bybit{Limits: Limits{Enabled: true, RequestsPerSecond: 50, Burst: 50},
				REST:      BybitREST{V5: "https://api.bybit.com"},
				Websocket: BybitWS{Linear: "wss://stream.bybit.com/v5/public/linear", Inverse: "wss://stream.bybit.com/v5/public/inverse"},
				PageLimit: 1000,
				Announcements: BybitAnnouncements{Locale: "en-US",
					Types: []string{"new_crypto", "latest_activities", "delistings", "product_updates"}}},
			OKX: OKX{Limits: Limits{Enabled: true, RequestsPerSecond: 10, Burst: 20},
				REST:        OKXREST{V5: "https://www.okx.com"},
				Websocket:   OKXWS{Public: "wss://ws.okx.com:8443/ws/v5/public"},
				Concurrency: 10,
				Announcements: OKXAnnouncements{AnnTypes: []string{"announcements-new-listings", "announcements-delistings",
					"announcements-trading-updates", "announcements-latest-announcements", "latest-events"}}},
		},
		Pages: Pages{Delay: time.Second, Parallelism: 2},
		Fees:  Fees{UseBuiltinPages: true, Pages: []FeePage{}, Manual: []ManualFee{}},
		Diff: Diff{DelistAfter: d.DelistAfter, MassDelistShare: d.MassDelistShare, MassDelistCount: d.MassDelistCount,
			MassDelistAfter: d.MassDelistAfter, ExtremeAnnualized: d.ExtremeAnnualized,
			DivergenceAnnualized: d.DivergenceAnnualized, SpikeFactor: d.SpikeFactor,
			SpikeMinPoints: d.SpikeMinPoints, SpikeMinUSD: d.SpikeMinUSD,
			YieldAPRChange: 0.01, PromoEndingWithin: 72 * time.Hour,
			Severities: map[string]string{}, Ignore: []Ignore{}},
		Alerts: Alerts{Webhooks: []Webhook{}, GiveUpAfter: 72 * time.Hour, MaxBackoff: time.Minute, SendTimeout: 30 * time.Second},
		Serve:  Serve{Listen: "127.0.0.1:8080", ReportsDir: "reports", Grace: 10 * time.Second},
		Schedule: Schedule{Timezone: "UTC",
			Jobs: Jobs{Instruments: "@every 5m", Funding: "@every 5m", Market: "@every 5m",
				Announcements: "@every 1m", Fees: "@every 1h", Yield: "@every 1h"},
			Digest: "0 8 * * *", Retention: "30 3 * * *", Exchanges: map[string]Jobs{}},
		Streams:   Streams{Enabled: true, Resolution: time.Minute},
		Retention: Retention{Raw: 14 * 24 * time.Hour},
		House: reports.House{
			Name: "Our exchange",
			Tiers: []reports.FeeTier{
				{Name: "VIP0", Maker: 0.0002, Taker: 0.0005, Min30dVolumeUSD: 0},
				{Name: "VIP1", Maker: 0.00016, Taker: 0.0004, Min30dVolumeUSD: 15_000_000},
			},
			Symbols: []string{"BTC/USDT:USDT", "ETH/USDT:USDT", "SOL/USDT:USDT", "XRP/USDT:USDT", "DOGE/USDT:USDT"},
			Volume30dUSD: map[string]float64{
				"BTC/USDT:USDT": 9_000_000_000, "ETH/USDT:USDT": 4_500_000_000, "SOL/USDT:USDT": 1_200_000_000,
				"XRP/USDT:USDT": 600_000_000, "DOGE/USDT:USDT": 450_000_000,
			},
			ContributionMargin: 0.6,
		},
		Campaigns: Campaigns{WashTradingShare: 0.3},
	}
}

// defaultWebhookTypes are sent to a webhook that lists no types: fee
// changes, the events a pricing team acts on the same day.
var defaultWebhookTypes = []string{"fee.*", "fee.announced"}

// defaultWebhookFormat is a plain JSON body, which any receiver can read.
const defaultWebhookFormat = "json"

// fillListDefaults gives list entries the defaults of the keys they leave
// out; Default cannot, as the entries only exist once the file is read.
func (c *Config) fillListDefaults() {
	for i := range c.Alerts.Webhooks {
		w := &c.Alerts.Webhooks[i]
		if w.Types == nil {
			w.Types = slices.Clone(defaultWebhookTypes)
		}
		if w.Format == "" {
			w.Format = defaultWebhookFormat
		}
	}
}
