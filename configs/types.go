package configs

import (
	"time"

	"github.com/rivalwatch/rivalwatch/collectors/classify"

	"github.com/rivalwatch/rivalwatch/reports"
)

// Config is the whole configuration. Every field has a default (see
// Default); a file only names what it changes.
type Config struct {
	Database  string        `yaml:"database"`
	UserAgent string        `yaml:"user_agent"`
	HTTP      HTTP          `yaml:"http"`
	Collect   Collect       `yaml:"collect"`
	Exchanges Exchanges     `yaml:"exchanges"`
	Pages     Pages         `yaml:"pages"`
	Fees      Fees          `yaml:"fees"`
	Diff      Diff          `yaml:"diff"`
	Alerts    Alerts        `yaml:"alerts"`
	Serve     Serve         `yaml:"serve"`
	Schedule  Schedule      `yaml:"schedule"`
	Streams   Streams       `yaml:"streams"`
	Retention Retention     `yaml:"retention"`
	House     reports.House `yaml:"house"`
	Campaigns Campaigns     `yaml:"campaigns"`
	// PlaybookFile is the playbook file, relative to this config file;
	// empty for the built-in configs/playbook.yaml.
	PlaybookFile string `yaml:"playbook"`

	// Playbook is loaded from PlaybookFile.
	Playbook reports.Playbook `yaml:"-"`

	// ClassifyRulesFile is the announcement classification rules file,
	// relative to this config file; empty for the built-in
	// configs/classify.yaml.
	ClassifyRulesFile string `yaml:"classify_rules"`
	// ClassifyRules are loaded from ClassifyRulesFile.
	ClassifyRules *classify.Rules `yaml:"-"`
}

// HTTP configures every request to the exchanges.
type HTTP struct {
	Timeout      time.Duration `yaml:"timeout"`        // per request
	Retries      int           `yaml:"retries"`        // after a 5xx or a network error
	MaxRetryWait time.Duration `yaml:"max_retry_wait"` // the longest Retry-After waited out within a pull
	MaxBodyMB    int           `yaml:"max_body_mb"`
}

// Collect configures what a sweep pulls.
type Collect struct {
	Kinds         []string `yaml:"kinds"`
	MinCountRatio float64  `yaml:"min_count_ratio"`
}

// Exchanges holds one section per rival.
type Exchanges struct {
	Binance Binance `yaml:"binance"`
	Bybit   Bybit   `yaml:"bybit"`
	OKX     OKX     `yaml:"okx"`
}

// Limits bound the request rate to one exchange.
type Limits struct {
	Enabled           bool    `yaml:"enabled"`
	RequestsPerSecond float64 `yaml:"requests_per_second"`
	Burst             int     `yaml:"burst"`
}

// Binance is where and how to pull Binance.
type Binance struct {
	Limits          `yaml:",inline"`
	REST            BinanceREST          `yaml:"rest"`
	Websocket       BinanceWS            `yaml:"websocket"`
	OpenInterestTop int                  `yaml:"open_interest_top"`
	Concurrency     int                  `yaml:"concurrency"`
	Announcements   BinanceAnnouncements `yaml:"announcements"`
	Credentials     Credentials          `yaml:"credentials"`
}

// BinanceREST are Binance's REST bases per API family.
type BinanceREST struct {
	USDM  string `yaml:"usdm"`  // USDⓈ-M futures
	COINM string `yaml:"coinm"` // COIN-M futures
	Web   string `yaml:"web"`   // www.binance.com: CMS announcements
}

// BinanceWS are Binance's websocket bases per API family, read by
// `rivalwatch serve` for the live funding streams.
type BinanceWS struct {
	USDM string `yaml:"usdm"`
}

// BinanceAnnouncements chooses which CMS catalogs are read.
type BinanceAnnouncements struct {
	// Catalogs are CMS catalog ids: 48 new listings, 93 activities,
	// 161 delistings, 49 news, 128 airdrops.
	Catalogs []int `yaml:"catalogs"`
	PageSize int   `yaml:"page_size"`
}

// Bybit is where and how to pull Bybit.
type Bybit struct {
	Limits        `yaml:",inline"`
	REST          BybitREST          `yaml:"rest"`
	Websocket     BybitWS            `yaml:"websocket"`
	PageLimit     int                `yaml:"page_limit"`
	Announcements BybitAnnouncements `yaml:"announcements"`
	Credentials   Credentials        `yaml:"credentials"`
}

// BybitREST is Bybit's v5 REST base.
type BybitREST struct {
	V5 string `yaml:"v5"`
	// Articles, when set, is where announcement article pages are fetched
	// from instead of the host the feed links to (a replay server); empty
	// fetches each article where the feed links it.
	Articles string `yaml:"articles"`
}

// BybitWS are Bybit's public websocket endpoints, read by `rivalwatch
// serve` for the live funding streams.
type BybitWS struct {
	Linear  string `yaml:"linear"`
	Inverse string `yaml:"inverse"`
}

// BybitAnnouncements chooses the language and types of announcements read.
type BybitAnnouncements struct {
	Locale string   `yaml:"locale"`
	Types  []string `yaml:"types"`
}

// OKX is where and how to pull OKX.
type OKX struct {
	Limits        `yaml:",inline"`
	REST          OKXREST          `yaml:"rest"`
	Websocket     OKXWS            `yaml:"websocket"`
	Concurrency   int              `yaml:"concurrency"`
	Announcements OKXAnnouncements `yaml:"announcements"`
	Credentials   OKXCredentials   `yaml:"credentials"`
}

// OKXREST is OKX's v5 REST base.
type OKXREST struct {
	V5 string `yaml:"v5"`
	// Articles, when set, is where announcement article pages are fetched
	// from instead of the host the feed links to (a replay server); empty
	// fetches each article where the feed links it.
	Articles string `yaml:"articles"`
}

// OKXWS is OKX's public websocket endpoint, read by `rivalwatch serve` for
// the live funding streams.
type OKXWS struct {
	Public string `yaml:"public"`
}

// OKXAnnouncements chooses the announcement types read.
type OKXAnnouncements struct {
	AnnTypes []string `yaml:"ann_types"`
}

// Credentials name the environment variables holding a read-only API key,
// so the values never sit in the file. Both empty means no authenticated
// fee pull.
type Credentials struct {
	KeyEnv    string `yaml:"key_env"`
	SecretEnv string `yaml:"secret_env"`
}

// OKXCredentials add the passphrase OKX keys carry.
type OKXCredentials struct {
	Credentials   `yaml:",inline"`
	PassphraseEnv string `yaml:"passphrase_env"`
}

// Pages configures the fetching of web pages (fee schedules, articles):
// slower and politer than the APIs, because these are the exchanges'
// public websites.
type Pages struct {
	Delay       time.Duration `yaml:"delay"`       // between requests to one domain
	Parallelism int           `yaml:"parallelism"` // requests in flight per domain
	UserAgent   string        `yaml:"user_agent"`  // empty: the top-level user_agent
}

// Fees configures where fee schedules come from.
type Fees struct {
	// UseBuiltinPages keeps the fee pages rivalwatch knows; a page in Pages
	// for the same exchange and product replaces the built-in one.
	UseBuiltinPages bool        `yaml:"use_builtin_pages"`
	Pages           []FeePage   `yaml:"pages"`
	Manual          []ManualFee `yaml:"manual"`
}

// FeePage is a fee schedule published as an HTML table.
type FeePage struct {
	Exchange string `yaml:"exchange"`
	Product  string `yaml:"product"` // usdm, coinm or usdc
	URL      string `yaml:"url"`
	Selector string `yaml:"selector"` // CSS selector of the table
	// Render is "" for plain HTML or "browser" for pages built by script.
	Render       string     `yaml:"render"`
	WaitSelector string     `yaml:"wait_selector"` // with render: browser, wait for this element
	Columns      FeeColumns `yaml:"columns"`
}

// FeeColumns are the table's header texts (matched case-insensitively,
// as a part of the header) for each field.
type FeeColumns struct {
	Tier      string `yaml:"tier"`
	Volume30d string `yaml:"volume_30d"`
	Balance   string `yaml:"balance"`
	Maker     string `yaml:"maker"`
	Taker     string `yaml:"taker"`
}

// ManualFee is one fee tier typed in by hand, for schedules no page or API
// publishes. Rates are fractions: 0.0002 is 2 bps.
type ManualFee struct {
	Exchange        string  `yaml:"exchange"`
	Product         string  `yaml:"product"`
	Tier            string  `yaml:"tier"`
	Maker           float64 `yaml:"maker"`
	Taker           float64 `yaml:"taker"`
	Min30dVolumeUSD float64 `yaml:"min_30d_volume_usd"`
	MinBalanceUSD   float64 `yaml:"min_balance_usd"`
}

// Diff holds thresholds, severities and ignore lists for change events.
type Diff struct {
	DelistAfter int `yaml:"delist_after"`
	// MassDelistShare, MassDelistCount and MassDelistAfter: more symbols
	// vanishing at once than the larger of share × listing and count need
	// MassDelistAfter absent snapshots before any counts as delisted.
	MassDelistShare      float64 `yaml:"mass_delist_share"`
	MassDelistCount      int     `yaml:"mass_delist_count"`
	MassDelistAfter      int     `yaml:"mass_delist_after"`
	ExtremeAnnualized    float64 `yaml:"extreme_annualized"`
	DivergenceAnnualized float64 `yaml:"divergence_annualized"`
	SpikeFactor          float64 `yaml:"spike_factor"`
	SpikeMinPoints       int     `yaml:"spike_min_points"`
	SpikeMinUSD          float64 `yaml:"spike_min_usd"`
	// YieldAPRChange is the absolute APR move (0.01 = 1 point) that fires
	// yield.apr.
	YieldAPRChange float64 `yaml:"yield_apr_change"`
	// PromoEndingWithin is how close to its end a promotion is reported
	// as ending.
	PromoEndingWithin time.Duration     `yaml:"promo_ending_within"`
	Severities        map[string]string `yaml:"severities"`
	Ignore            []Ignore          `yaml:"ignore"`
}

// Ignore drops matching change events; an empty field matches anything.
type Ignore struct {
	Exchange string `yaml:"exchange"`
	Symbol   string `yaml:"symbol"`
	Type     string `yaml:"type"`
}

// Alerts configures webhook delivery of change events.
type Alerts struct {
	Webhooks []Webhook `yaml:"webhooks"`
	// GiveUpAfter is how long an undelivered alert keeps being retried.
	GiveUpAfter time.Duration `yaml:"give_up_after"`
	MaxBackoff  time.Duration `yaml:"max_backoff"` // the longest wait between two attempts
	// SendTimeout is how long `collect` spends delivering after a sweep;
	// what is left is delivered by the next run.
	SendTimeout time.Duration `yaml:"send_timeout"`
}

// Webhook is one alert receiver.
type Webhook struct {
	Name   string `yaml:"name"`
	URL    string `yaml:"url"`
	Format string `yaml:"format"` // json, slack, lark or discord
	// SecretEnv names the environment variable holding the HMAC-SHA256
	// signing secret; empty sends unsigned.
	SecretEnv string `yaml:"secret_env"`
	// Types are change-type globs ("fee.*").
	Types []string `yaml:"types"`
	// MinSeverity drops events below it; empty sends every matching event.
	MinSeverity string `yaml:"min_severity"`
}

// Serve configures `rivalwatch serve`.
type Serve struct {
	Listen     string        `yaml:"listen"`
	ReportsDir string        `yaml:"reports_dir"`
	Grace      time.Duration `yaml:"grace"` // shutdown waits this long for running jobs
}

// Schedule holds the cron specs of the daemon's jobs. A spec is a
// five-field cron line or a descriptor (@every 5m, @daily), or "off".
type Schedule struct {
	Timezone  string `yaml:"timezone"`
	Jobs      `yaml:",inline"`
	Digest    string `yaml:"digest"`
	Retention string `yaml:"retention"`
	// Exchanges override Jobs for one exchange; an empty spec keeps the
	// global one.
	Exchanges map[string]Jobs `yaml:"exchanges"`
}

// Jobs are the per-exchange pulls, one spec per kind.
type Jobs struct {
	Instruments   string `yaml:"instruments"`
	Funding       string `yaml:"funding"`
	Market        string `yaml:"market"`
	Announcements string `yaml:"announcements"`
	Fees          string `yaml:"fees"`
	Yield         string `yaml:"yield"`
}

// Streams configures the live funding websocket streams of `rivalwatch
// serve`.
type Streams struct {
	Enabled bool `yaml:"enabled"`
	// Resolution is the stored sampling: one observation per symbol per
	// Resolution, however often the exchange pushes.
	Resolution time.Duration `yaml:"resolution"`
}

// Retention bounds how long history is kept.
type Retention struct {
	Raw time.Duration `yaml:"raw"` // raw snapshots older than this are deleted
}

// Campaigns holds the assumptions applied to rival campaigns.
type Campaigns struct {
	// WashTradingShare is the share of a rival campaign's volume
	// discounted as wash trading, 0 to below 1.
	WashTradingShare float64 `yaml:"wash_trading_share"`
}
