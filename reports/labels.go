package reports

import "strings"

// inputLabels name rule inputs in an operations person's words, for the
// digest's input lists; the playbook keeps the snake_case names.
var inputLabels = map[string]string{
	"rival_volume_24h_usd":         "rival 24h volume",
	"rival_open_interest_usd":      "rival open interest",
	"all_rivals_volume_24h_usd":    "24h volume on every rival",
	"house_lists":                  "we list it",
	"house_lists_coin":             "we list the coin",
	"house_same_coin":              "our contracts on the coin",
	"house_same_coin_count":        "number of our contracts on the coin",
	"house_volume_30d_usd":         "our 30-day volume",
	"house_daily_volume_usd":       "our daily volume",
	"house_coin_daily_volume_usd":  "our daily volume on the coin",
	"house_taker_fee":              "our taker fee",
	"house_maker_fee":              "our maker fee",
	"contribution_margin":          "our contribution margin",
	"old_interval_hours":           "old funding interval",
	"new_interval_hours":           "new funding interval",
	"interval_hours":               "funding interval",
	"cap_old":                      "old funding cap",
	"cap_new":                      "new funding cap",
	"floor_old":                    "old funding floor",
	"floor_new":                    "new funding floor",
	"rate":                         "funding rate",
	"annualized":                   "annualized funding",
	"abs_annualized":               "annualized funding (size)",
	"usd_per_day_per_1m":           "cost per day per $1M held",
	"spread_annualized":            "funding spread",
	"volume_24h_usd":               "24h volume",
	"median_volume_usd":            "median 24h volume",
	"volume_ratio":                 "volume vs median",
	"open_interest_usd":            "open interest",
	"median_open_interest_usd":     "median open interest",
	"oi_ratio":                     "open interest vs median",
	"house_rate":                   "our rate at that volume",
	"house_total_daily_volume_usd": "our daily volume, all symbols",
	"old_rate":                     "their old rate",
	"new_rate":                     "their new rate",
	"gap":                          "gap to their rate",
	"overlap_count":                "symbols we both list",
	"overlap_daily_volume_usd":     "our daily volume on them",
	"breakeven_uplift":             "break-even volume uplift",
	"waiver_breakeven_uplift":      "break-even uplift of the waiver",
	"wash_trading_share":           "share discounted as wash trading",
	"pool_usd":                     "prize pool",
	"contestable_pool_usd":         "pool after wash trading",
	"breakeven_volume_usd":         "break-even extra volume",
	"days":                         "campaign days",
	"old":                          "old value",
	"new":                          "new value",
}

// inputLabel is an input's label: its entry above, else its name in words
// ("annualized_okx" is "annualized okx", "usd" suffixes dropped: the value
// carries the $).
func inputLabel(name string) string {
	if l, ok := inputLabels[name]; ok {
		return l
	}
	name = strings.TrimSuffix(strings.TrimPrefix(name, "house_"), "_usd")
	return strings.ReplaceAll(name, "_", " ")
}
