package fees

import "github.com/rivalwatch/rivalwatch/collectors"

// DefaultPages are the built-in fee pages, used when the config lists none.
//
// The URLs are the rivals' public fee schedules. The selectors and header
// texts are a best structural guess from the pages' known layout, not
// checked against today's live pages (no capture of them exists here): the
// first sweep that fails with "no column headed …" or "no fee table
// matches …" says which to correct in the config.
//
//   - Bybit: the help-center article "Trading Fee Structure" (id 000001634,
//     the address of its public mirror on bybit.com), server rendered; its Perpetual & Futures table sits under a heading naming
//     them, VIP by 30-day volume or asset balance.
//   - OKX: okx.com/fees, at least partly server rendered; one table with a
//     group header per margin type (USDT, USDC, crypto), so one spec per
//     product reads the same page.
//   - Binance: the futures fee page builds its table in scripts, so it is
//     rendered; the FAQ https://www.binance.com/en/support/faq/360033544231
//     is the server-rendered fallback if rendering is unavailable. VIP
//     there also needs a BNB balance, which is not in USD and is left out.
func DefaultPages() []PageSpec {
	const okxURL = "https://www.okx.com/fees"
	okx := func(product, group string) PageSpec {
		return PageSpec{
			Exchange: "okx", Product: product, URL: okxURL,
			Selector: `table:has(th:contains("USDT-margined"))`, // not the spot table above it
			Columns: ColumnMap{
				Tier: "tier", Volume30d: "30-day trading volume", Balance: "assets",
				Maker: group + " Maker", Taker: group + " Taker",
			},
		}
	}
	return []PageSpec{
		{
			Exchange: "bybit", Product: collectors.ProductUSDM,
			URL:      "https://www.bybit.com/en-US/help-center/bybitHC_Article?id=000001634",
			Selector: `h2:contains("Perpetual") ~ table, h3:contains("Perpetual") ~ table`,
			Columns: ColumnMap{
				Tier: "level", Volume30d: "trading volume", Balance: "asset",
				Maker: "maker", Taker: "taker",
			},
		},
		okx(collectors.ProductUSDM, "USDT-margined"),
		okx(collectors.ProductUSDC, "USDC-margined"),
		okx(collectors.ProductCOINM, "Crypto-margined"),
		{
			Exchange: "binance", Product: collectors.ProductUSDM,
			URL:      "https://www.binance.com/en/fee/futureFee",
			Selector: "table", Render: RenderBrowser, WaitSelector: "table tbody tr",
			Columns: ColumnMap{
				Tier: "level", Volume30d: "30d trade volume",
				Maker: "maker", Taker: "taker",
			},
		},
	}
}
