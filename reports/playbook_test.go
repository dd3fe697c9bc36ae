package reports

import (
	"strings"
	"testing"

	"github.com/rivalwatch/rivalwatch/diff"
)

func boolp(b bool) *bool { return &b }

func TestDefaultPlaybookValid(t *testing.T) {
	p := loadPlaybook(t)
	if errs := p.Validate(); len(errs) > 0 {
		t.Fatalf("configs/playbook.yaml: %v", errs)
	}
	want := []string{"listing.new", "funding.interval", "funding.extreme", "funding.divergence", "market.volume_spike"}
	for _, w := range want {
		found := false
		for _, r := range p.Rules {
			if r.Type == w {
				found = true
			}
		}
		if !found {
			t.Errorf("default playbook has no rule for %s", w)
		}
	}
}

func TestPlaybookValidate(t *testing.T) {
	ok := Rule{Name: "ok", Type: "listing.new", Suggest: "{{usd .rival_volume_24h_usd}}"}
	tests := []struct {
		name string
		rule Rule
		want []string // substrings, one error each
	}{
		{"valid", ok, nil},
		{"empty type", Rule{Name: "r", Suggest: "x"}, []string{`rules[0] (r): type is empty`}},
		{"empty name", Rule{Type: "listing.new", Suggest: "x"}, []string{`rules[0] (): name is empty`}},
		{"empty suggest", Rule{Name: "r", Type: "listing.new"}, []string{`suggest is empty`}},
		{"bad glob", Rule{Name: "r", Type: "funding.[", Suggest: "x"}, []string{`type "funding.[" is not a valid glob`}},
		{"bad template", Rule{Name: "r", Type: "listing.new", Suggest: "{{usd .x"}, []string{`rules[0] (r): suggest: template:`}},
		{"unknown func", Rule{Name: "r", Type: "listing.new", Suggest: "{{money .x}}"}, []string{`function "money" not defined`}},
		{"unknown min input", Rule{Name: "r", Type: "listing.new", Suggest: "x", When: Conditions{Min: map[string]float64{"rival_volume": 1}}},
			[]string{`when.min: unknown input "rival_volume" for type listing.new`}},
		{"evidence of another type", Rule{Name: "r", Type: "listing.new", Suggest: "x", When: Conditions{Max: map[string]float64{"spread_annualized": 1}}},
			[]string{`when.max: unknown input "spread_annualized"`}},
		{"text input in min", Rule{Name: "r", Type: "listing.new", Suggest: "x", When: Conditions{Min: map[string]float64{"symbol": 1}}},
			[]string{`input "symbol" is not a number`}},
		{"typo in template", Rule{Name: "r", Type: "funding.*", Suggest: "{{pctyr .spread_anualized}}"},
			[]string{`suggest: unknown input "spread_anualized" for type funding.*`}},
		{"min above max", Rule{Name: "r", Type: "market.volume_spike", Suggest: "x",
			When: Conditions{Min: map[string]float64{"volume_ratio": 5}, Max: map[string]float64{"volume_ratio": 2}}},
			[]string{`min volume_ratio 5 is above max 2`}},
		{"empty exchange", Rule{Name: "r", Type: "listing.new", Suggest: "x", When: Conditions{Exchanges: []string{""}}},
			[]string{`when.exchanges[0] is empty`}},
		{"divergence side", Rule{Name: "r", Type: "funding.divergence", Suggest: "{{pctyr .annualized_okx}}"}, nil},
		{"new type reads its own evidence", Rule{Name: "r", Type: "margin.change", Suggest: "{{bps .prize_pool_usd}}",
			When: Conditions{Min: map[string]float64{"prize_pool_usd": 0}}}, nil},
		{"new type bad name", Rule{Name: "r", Type: "margin.*", Suggest: "x", When: Conditions{Min: map[string]float64{"Old Taker": 0}}},
			[]string{`"Old Taker" is not an input name`}},
		{"several problems at once", Rule{Name: "r", Suggest: "{{.x", When: Conditions{Exchanges: []string{" "}}},
			[]string{"type is empty", "suggest: template:", "when.exchanges[0] is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := Playbook{Rules: []Rule{tt.rule}}.Validate()
			if len(errs) != len(tt.want) {
				t.Fatalf("got %d errors %v, want %d %q", len(errs), errs, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(errs[i].Error(), w) {
					t.Errorf("error %d = %q, want it to contain %q", i, errs[i], w)
				}
			}
		})
	}
}

// fire runs one rule over one change against the test market and house.
func fire(t *testing.T, r Rule, c diff.Change) []Suggestion {
	t.Helper()
	in := Input{
		Date: day, GeneratedAt: generated, Changes: []diff.Change{c},
		Market: testMarket(), Funding: testFunding(), House: testHouse(),
		Playbook: Playbook{Rules: []Rule{r}},
	}
	d := Build(in)
	if len(d.Problems) > 0 {
		t.Fatalf("problems: %q", d.Problems)
	}
	return d.Suggestions
}

func TestRuleConditions(t *testing.T) {
	xyz := change("binance", diff.ListingNew, "XYZUSDT", "XYZ/USDT:USDT", "", "", "trading", diff.High, 3, nil)
	btc := change("bybit", diff.ListingNew, "BTCUSDT", "BTC/USDT:USDT", "", "", "trading", diff.High, 3, nil)
	div := change("binance vs okx", diff.FundingDivergence, "BTC/USDT:USDT", "", "", "", "", diff.Medium, 7,
		map[string]float64{"spread_annualized": 0.45})
	spike := change("bybit", diff.MarketVolumeSpike, "SOLUSDT", "SOL/USDT:USDT", "", "", "", diff.Medium, 7,
		map[string]float64{"volume_24h_usd": 9e9, "median_volume_usd": 2e9})
	tests := []struct {
		name   string
		when   Conditions
		change diff.Change
		fires  bool
	}{
		{"no conditions", Conditions{}, xyz, true},
		{"house lacks it", Conditions{HouseLists: boolp(false)}, xyz, true},
		{"house lists it", Conditions{HouseLists: boolp(false)}, btc, false},
		{"house lists, wanted", Conditions{HouseLists: boolp(true)}, btc, true},
		{"min met", Conditions{Min: map[string]float64{"rival_volume_24h_usd": 24e6}}, xyz, true},
		{"min missed", Conditions{Min: map[string]float64{"rival_volume_24h_usd": 25e6}}, xyz, false},
		{"max met", Conditions{Max: map[string]float64{"rival_volume_24h_usd": 24e6}}, xyz, true},
		{"max missed", Conditions{Max: map[string]float64{"rival_volume_24h_usd": 1e6}}, xyz, false},
		{"min on missing input", Conditions{Min: map[string]float64{"rival_open_interest_usd": 0}}, xyz, false},
		{"exchange listed", Conditions{Exchanges: []string{"Binance"}}, xyz, true},
		{"exchange not listed", Conditions{Exchanges: []string{"okx"}}, xyz, false},
		{"divergence either side", Conditions{Exchanges: []string{"okx"}}, div, true},
		{"divergence neither side", Conditions{Exchanges: []string{"bybit"}}, div, false},
		{"derived ratio", Conditions{Min: map[string]float64{"volume_ratio": 4.5}}, spike, true},
		{"derived ratio missed", Conditions{Min: map[string]float64{"volume_ratio": 4.6}}, spike, false},
		{"same coin count", Conditions{Min: map[string]float64{"house_same_coin_count": 1}}, div, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Rule{Name: "r", Type: string(tt.change.Type), When: tt.when, Suggest: "x"}
			got := fire(t, r, tt.change)
			if (len(got) == 1) != tt.fires {
				t.Errorf("fired %d times, want fires=%v", len(got), tt.fires)
			}
		})
	}
}

func TestRuleTypeGlob(t *testing.T) {
	c := change("bybit", diff.FundingInterval, "ETHUSDT", "ETH/USDT:USDT", "", "8 h", "4 h", diff.High, 4, nil)
	for pattern, want := range map[string]bool{"funding.*": true, "funding.interval": true, "listing.*": false, "*": true, "funding.cap": false} {
		if got := len(fire(t, Rule{Name: "r", Type: pattern, Suggest: "x"}, c)) == 1; got != want {
			t.Errorf("type %q: fired=%v, want %v", pattern, got, want)
		}
	}
}

func TestTemplateArithmetic(t *testing.T) {
	xyz := change("binance", diff.ListingNew, "XYZUSDT", "XYZ/USDT:USDT", "", "", "trading", diff.High, 3, nil)
	prelaunch := change("bybit", diff.ListingPrelaunch, "ABCUSDT", "ABC/USDT:USDT", "", "", "", diff.Medium, 3, nil)
	extreme := change("binance", diff.FundingExtreme, "1000PEPEUSDT", "1000PEPE/USDT:USDT", "", "", "", diff.Medium, 7,
		map[string]float64{"rate": -0.0025, "annualized": -5.475})
	fee := change("binance", diff.Type("fee.tier"), "", "", "VIP0 taker", "5 bps", "4.5 bps", diff.High, 1,
		map[string]float64{"old_taker": 0.0005, "new_taker": 0.00045})
	tests := []struct {
		name     string
		change   diff.Change
		suggest  string
		want     string
		wantText map[string]string // input name → shown value
	}{
		{"fast-follow share", xyz,
			"{{usd (mul .rival_volume_24h_usd 0.05 .house_taker_fee .contribution_margin)}}/day in {{num (div 25000 (mul .rival_volume_24h_usd 0.05 .house_taker_fee .contribution_margin))}} days",
			// $24M × 5% × 5 bps × 60% = $360/day; $25,000 / $360 = 69.44 days.
			"$360/day in 69.44 days", map[string]string{"rival_volume_24h_usd": "$24M", "house_taker_fee": "5 bps", "contribution_margin": "60%"}},
		{"missing input is n/a", prelaunch, "{{usd (mul .rival_volume_24h_usd 0.05)}} and {{.rival_volume_24h_usd}} at {{bps .house_taker_fee}}",
			"n/a and n/a at 5 bps", map[string]string{"rival_volume_24h_usd": "n/a"}},
		{"division by zero is n/a", xyz, "{{num (div 1 .house_volume_30d_usd)}}", "n/a", nil},
		{"sub add abs", xyz, "{{num (sub 10 (add 1 2 3))}} {{num (abs -2.5)}}", "4 2.5", nil},
		{"negative funding", extreme, "{{bps .rate}} = {{pctyr .annualized}}, {{usd .usd_per_day_per_1m}}/day per $1M",
			"-25 bps = -547.5%/yr, $15K/day per $1M", map[string]string{"usd_per_day_per_1m": "$15K"}},
		{"house profile", xyz, "{{.house_name}} {{bps .house_maker_fee}}", "Our exchange 2 bps", nil},
		{"new change type, config only", fee,
			"taker {{bps .old_taker}} → {{bps .new_taker}}; our {{bps .house_taker_fee}} is {{bps (sub .house_taker_fee .new_taker)}} above",
			"taker 5 bps → 4.5 bps; our 5 bps is 0.5 bps above", map[string]string{"new_taker": "4.5 bps"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fire(t, Rule{Name: "r", Type: string(tt.change.Type), Suggest: tt.suggest}, tt.change)
			if len(got) != 1 {
				t.Fatalf("fired %d times, want once", len(got))
			}
			if got[0].Text != tt.want {
				t.Errorf("text = %q, want %q", got[0].Text, tt.want)
			}
			shown := map[string]string{}
			for _, p := range got[0].Inputs {
				shown[p.Name] = p.Value
			}
			for name, v := range tt.wantText {
				if shown[name] != v {
					t.Errorf("input %s shown as %q, want %q", name, shown[name], v)
				}
			}
		})
	}
}

func TestInputsEnrichment(t *testing.T) {
	pic := newPicture(testMarket(), testFunding())
	h := testHouse()
	tests := []struct {
		name   string
		change diff.Change
		want   map[string]any
	}{
		{"multiplier coin joins our listing", change("binance", diff.FundingExtreme, "1000PEPEUSDT", "", "", "", "", diff.Medium, 7, nil),
			map[string]any{"unified": "1000PEPE/USDT:USDT", "coin": "PEPE", "house_lists": true, "house_daily_volume_usd": 1e7,
				"rival_volume_24h_usd": 0.8e9, "all_rivals_volume_24h_usd": 1.3e9}},
		{"other contract on the coin", change("okx", diff.ListingNew, "PEPE-USDT-SWAP", "PEPE/USDT:USDT", "", "", "", diff.High, 7, nil),
			map[string]any{"house_lists": false, "house_lists_coin": true, "house_same_coin": "1000PEPE/USDT:USDT",
				"house_volume_30d_usd": 0.0, "house_coin_daily_volume_usd": 1e7}},
		{"divergence sums both sides", change("binance vs okx", diff.FundingDivergence, "BTC/USDT:USDT", "", "", "", "", diff.Medium, 7, nil),
			map[string]any{"unified": "BTC/USDT:USDT", "rival_volume_24h_usd": 25e9, "rival_open_interest_usd": 11e9}},
		{"base tier fees", change("bybit", diff.ListingNew, "NEWUSDT", "NEW/USDT:USDT", "", "", "", diff.High, 7, nil),
			map[string]any{"house_taker_fee": 0.0005, "house_maker_fee": 0.0002, "contribution_margin": 0.6, "house_same_coin_count": 0.0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := buildInputs(tt.change, pic, h, standingOf(tt.change, pic, h))
			for k, v := range tt.want {
				if in[k] != v {
					t.Errorf("%s = %v (%T), want %v", k, in[k], in[k], v)
				}
			}
		})
	}
	newListing := change("bybit", diff.ListingNew, "NEWUSDT", "NEW/USDT:USDT", "", "", "", diff.High, 7, nil)
	if v, ok := buildInputs(newListing, pic, House{}, standingOf(newListing, pic, House{}))["contribution_margin"]; ok {
		t.Errorf("without a house profile contribution_margin must be n/a, got %v", v)
	}
	if _, ok := buildInputs(newListing, pic, h, standingOf(newListing, pic, h))["rival_volume_24h_usd"]; ok {
		t.Error("a symbol without market stats must have no rival volume (n/a), not 0")
	}
}

// TestAllNARuleDoesNotFire: a rule whose every number is missing would
// print n/a throughout; it is left out of the digest.
func TestAllNARuleDoesNotFire(t *testing.T) {
	prelaunch := change("okx", diff.ListingPrelaunch, "NEW-USDT-SWAP", "NEW/USDT:USDT", "", "", "prelaunch", diff.Medium, 7, nil)
	if got := fire(t, Rule{Name: "r", Type: string(prelaunch.Type), Suggest: "{{usd (mul .rival_volume_24h_usd 0.05)}}"}, prelaunch); len(got) != 0 {
		t.Errorf("an all-n/a rule fired: %+v", got)
	}
}
