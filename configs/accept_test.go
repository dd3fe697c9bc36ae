package configs

import (
	"slices"
	"testing"
	"time"
)

// Files that must load, and what they must mean.
func TestGoodConfigs(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		check func(t *testing.T, c Config)
	}{
		{"house keys are optional one by one", "house: {contribution_margin: 0.5}\n", func(t *testing.T, c Config) {
			if c.House.ContributionMargin != 0.5 || c.House.Name != "Our exchange" || len(c.House.Tiers) != 2 {
				t.Errorf("house: %+v", c.House)
			}
		}},
		{"a map in the file replaces the default one", "house:\n  symbols: [BTC/USDT:USDT]\n  volume_30d_usd: {BTC/USDT:USDT: 5}\n", func(t *testing.T, c Config) {
			if len(c.House.Volume30dUSD) != 1 || c.House.Volume30dUSD["BTC/USDT:USDT"] != 5 {
				t.Errorf("volumes merged with the default: %v", c.House.Volume30dUSD)
			}
		}},
		{"durations take days", "retention: {raw: 14d}\nalerts: {give_up_after: 1d12h}\n", func(t *testing.T, c Config) {
			if c.Retention.Raw != 336*time.Hour || c.Alerts.GiveUpAfter != 36*time.Hour {
				t.Errorf("retention %s, give_up_after %s", c.Retention.Raw, c.Alerts.GiveUpAfter)
			}
		}},
		{"a whole number written 20.0 is whole", "exchanges: {binance: {announcements: {page_size: 20.0}}}\n", func(t *testing.T, c Config) {
			if c.Exchanges.Binance.Announcements.PageSize != 20 {
				t.Errorf("page_size %d", c.Exchanges.Binance.Announcements.PageSize)
			}
		}},
		{"a key with no value keeps its default", "http:\n  timeout:\n", func(t *testing.T, c Config) {
			if c.HTTP.Timeout != 15*time.Second {
				t.Errorf("timeout %s", c.HTTP.Timeout)
			}
		}},
		{"webhooks get default types and format", "alerts:\n  webhooks:\n    - {name: desk, url: 'https://hooks.example.com/x'}\n    - {name: ops, url: 'https://hooks.example.com/y', format: slack, types: [listing.*], min_severity: high}\n", func(t *testing.T, c Config) {
			w := c.Alerts.Webhooks
			if len(w) != 2 || !slices.Equal(w[0].Types, []string{"fee.*", "fee.announced"}) || w[0].Format != "json" {
				t.Fatalf("defaults not filled: %+v", w)
			}
			if !slices.Equal(w[1].Types, []string{"listing.*"}) || w[1].Format != "slack" || w[1].MinSeverity != "high" {
				t.Errorf("explicit values lost: %+v", w[1])
			}
		}},
		{"every kind can be collected", "collect: {kinds: [instruments, funding, market, announcements, fees, yield]}\n", func(t *testing.T, c Config) {
			if len(c.Kinds()) != 6 {
				t.Errorf("kinds %v", c.Kinds())
			}
		}},
		{"credentials and fee pages", "exchanges:\n  okx:\n    credentials: {key_env: OKX_KEY, secret_env: OKX_SECRET, passphrase_env: OKX_PASS}\nfees:\n  pages:\n    - {exchange: okx, product: usdm, url: 'https://www.okx.com/fees', selector: table, render: browser, wait_selector: table tr, columns: {tier: Tier, maker: Maker, taker: Taker}}\n  manual:\n    - {exchange: bybit, product: usdc, tier: VIP0, maker: -0.0001, taker: 0.00055}\n", func(t *testing.T, c Config) {
			if c.Exchanges.OKX.Credentials.PassphraseEnv != "OKX_PASS" || len(c.Fees.Pages) != 1 || c.Fees.Manual[0].Maker != -0.0001 || !c.Fees.UseBuiltinPages {
				t.Errorf("fees %+v, credentials %+v", c.Fees, c.Exchanges.OKX.Credentials)
			}
		}},
		{"schedules, off and per-exchange overrides", "schedule:\n  timezone: Europe/London\n  yield: off\n  digest: '@daily'\n  exchanges: {okx: {funding: '@every 10m'}}\n", func(t *testing.T, c Config) {
			if c.Schedule.Spec("okx", "funding") != "@every 10m" || c.Schedule.Spec("bybit", "yield") != Off {
				t.Errorf("schedule %+v", c.Schedule)
			}
		}},
		{"serve may pick a free port", "serve: {listen: '127.0.0.1:0'}\n", func(t *testing.T, c Config) {
			if c.Serve.Listen != "127.0.0.1:0" {
				t.Errorf("listen %q", c.Serve.Listen)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("good.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, cfg)
		})
	}
}

func TestPageUserAgent(t *testing.T) {
	c := Default()
	if c.PageUserAgent() != c.UserAgent {
		t.Errorf("empty pages.user_agent should fall back to user_agent, got %q", c.PageUserAgent())
	}
	c.Pages.UserAgent = "rivalwatch-pages/1.0"
	if c.PageUserAgent() != "rivalwatch-pages/1.0" {
		t.Errorf("got %q", c.PageUserAgent())
	}
}
