package classify

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

var published = time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)

// TestWindow covers the date grammars: ISO with and without zone, month
// names before and after the day, times before the date, ranges that share
// a date, a month or a zone, labels, and day-only dates.
func TestWindow(t *testing.T) {
	tests := []struct {
		title, body string
		start, end  string
	}{
		{"", "Launch Time2026-01-08 15:00 (UTC)Contract TypeUSDⓈ-M", "2026-01-08T15:00:00Z", ""},
		{"", "Jan 8, 2026, 10:00 UTC", "2026-01-08T10:00:00Z", ""},
		{"", "from 2026-01-08 to 2026-01-15", "2026-01-08", "2026-01-15"},
		{"", "Event period: Jan 8, 2026, 10AM UTC – Jan 15, 2026, 10AM UTC", "2026-01-08T10:00:00Z", "2026-01-15T10:00:00Z"},
		{"", "from 2026-01-08 02:00 to 04:00 (UTC)", "2026-01-08T02:00:00Z", "2026-01-08T04:00:00Z"},
		{"", "Mining: Jan 12 – 19, 2026.", "2026-01-12", "2026-01-19"},
		{"", "Runs from Jan 12 to Jan 19.", "2026-01-12", "2026-01-19"},
		{"", "at 8:00 am UTC on January 9, 2026", "2026-01-09T08:00:00Z", ""},
		{"", "from 2026-01-09 06:00 (UTC+8) to 2026-01-09 08:00 (UTC+8)", "2026-01-08T22:00:00Z", "2026-01-09T00:00:00Z"},
		{"", "Promotion Period2026-01-09 00:00 (UTC)2026-01-23 23:59 (UTC)", "2026-01-09T00:00:00Z", "2026-01-23T23:59:00Z"},
		{"", "Published on 2026-01-05. Effective Time: 2026-02-01 00:00 (UTC).", "2026-02-01T00:00:00Z", ""},
		{"Notice (2026-01-20)", "", "2026-01-20", ""},
		{"Notice (2026-01-20)", "It happens at 2026-01-20 09:30 (UTC).", "2026-01-20T09:30:00Z", ""},
		{"Discount Updated (2026-03-31)", "The discount is extended until 2026-06-30 23:59 (UTC).", "2026-03-31", "2026-06-30T23:59:00Z"},
		{"", "2026-01-08T15:00:00Z", "2026-01-08T15:00:00Z", ""},
		{"", "8 January 2026, 12:00 PM UTC", "2026-01-08T12:00:00Z", ""},
		{"", "No date here, only 15:00.", "", ""},
	}
	str := func(w *When) string {
		if w == nil {
			return ""
		}
		return w.String()
	}
	for _, tt := range tests {
		s, e := window(tt.title, tt.body, published)
		if str(s) != tt.start || str(e) != tt.end {
			t.Errorf("%q %q: got %q – %q, want %q – %q", tt.title, tt.body, str(s), str(e), tt.start, tt.end)
		}
	}
}

// TestRewardPool tells pools from per-user caps.
func TestRewardPool(t *testing.T) {
	tests := []struct {
		title, body string
		want        *Amount
	}{
		{"Trade and Share $200K Worth of Rewards", "", &Amount{200000, "USD"}},
		{"Share 50,000 ARB", "", &Amount{50000, "ARB"}},
		{"", "Total Prize Pool: 1,200,000 USDT. Task 1: 200,000 USDT prize pool.", &Amount{1200000, "USDT"}},
		{"Trade to win up to 500 USDT per user", "", nil},
		{"Enjoy Up to 3,600 USDC Rewards", "", nil},
		{"Grab a Share of the 17,100 USDC Reward Pool!", "", &Amount{17100, "USDC"}},
		{"Share 3 Million USDT in Rewards", "", &Amount{3e6, "USDT"}},
		{"", "Launch Time 2026-01-08 15:00 UTC, 4 USDⓈ-M contracts.", nil},
		{"Deposit 100 USDT and Get a 20 USDT Futures Bonus", "", nil},
	}
	for _, tt := range tests {
		got := rewardPool(tt.title, tt.body)
		if (got == nil) != (tt.want == nil) || got != nil && *got != *tt.want {
			t.Errorf("%q %q: got %+v, want %+v", tt.title, tt.body, got, tt.want)
		}
	}
}

// TestSymbols covers native names of every shape and the ticker fallback.
func TestSymbols(t *testing.T) {
	tests := []struct {
		title, body string
		want        []string
	}{
		{"Launch of AVNTUSDT", "Contract SymbolAVNTUSDTContract TypeUSDⓈ-M", []string{"AVNTUSDT"}},
		{"COIN-M RUNEUSD and BTCUSDT_260327", "", []string{"RUNEUSD", "BTCUSDT_260327"}},
		{"OKX BTC-USDT-SWAP", "", []string{"BTC-USDT-SWAP"}},
		{"Binance Will List Foo (FOO)", "", []string{"FOO"}},
		{"龙虾USDT and 4USDT and 1000000BOBUSDT and MSFTUSDT", "", []string{"龙虾USDT", "4USDT", "1000000BOBUSDT", "MSFTUSDT"}},
		{"Notice for XUSDT", "ContractKORUSDTTENZUSDTLaunch", []string{"XUSDT", "KORUSDT", "TENZUSDT"}},
		{"Binance Will Delist CVP, EPX, FOR on 2026-02-26", "", []string{"CVP", "EPX", "FOR"}},
		{"Zero fees on BUSD and FDUSD", "Share 1000USDT", []string{"BUSD", "FDUSD"}},
		{"Pairs", "ALPHA/BTC, ARB-USDT, BTCUSDT-27MAR26", []string{"ALPHA/BTC", "ARB-USDT", "BTCUSDT-27MAR26"}},
		{"OKX NEWS FOR ALL", "", []string{}},
	}
	for _, tt := range tests {
		if got := symbols(tt.title, tt.body); !slices.Equal(got, tt.want) {
			t.Errorf("%q %q: got %q, want %q", tt.title, tt.body, got, tt.want)
		}
	}
}

// TestLeverageAndFunding reads table labels, run-together cells and changes.
func TestLeverageAndFunding(t *testing.T) {
	tests := []struct {
		text     string
		leverage float64
		hours    float64
	}{
		{"Maximum Leverage50x40xFunding Fee Settlement FrequencyEvery Four HoursEvery Four Hours", 50, 4},
		{"with up to 20x leverage; funding interval 1h", 20, 1},
		{"leverage will be reduced from 75x to 50x", 50, 0},
		{"funding settlement changes from every eight hours to every four hours", 0, 4},
		{"an 8-hour funding interval", 0, 8},
		{"Earn 10x points and hold for 24 hours", 0, 0},
		{"funding every 2 hours (previously every 8 hours)", 0, 2},
	}
	for _, tt := range tests {
		if got := maxLeverage(tt.text); got != tt.leverage {
			t.Errorf("%q: leverage %v, want %v", tt.text, got, tt.leverage)
		}
		if got := fundingInterval(tt.text); got != tt.hours {
			t.Errorf("%q: funding %v h, want %v", tt.text, got, tt.hours)
		}
	}
}

// TestResultJSON checks the printed form: nulls for absent facts, bare days.
func TestResultJSON(t *testing.T) {
	r := Result{Category: Listing, StartsAt: &When{Time: time.Date(2026, 1, 8, 0, 0, 0, 0, time.UTC), DateOnly: true},
		EndsAt: &When{Time: time.Date(2026, 1, 9, 15, 0, 0, 0, time.UTC)}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"category":"listing","symbols":[],"reward_pool":null,"starts_at":"2026-01-08","ends_at":"2026-01-09T15:00:00Z","max_leverage":null,"funding_interval_hours":null}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}
