package classify

import (
	"os"
	"slices"
	"testing"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// TestAnnotate checks the collector's path into Classify: the result lands
// in the record's Class, and the feed's own campaign window fills a window
// the text does not state.
func TestAnnotate(t *testing.T) {
	data, err := os.ReadFile("../../configs/classify.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rules, err := ParseRules("classify.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 1, 8, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   collectors.Announcement
		want collectors.Classification
	}{
		{"perp launch from the body",
			collectors.Announcement{Exchange: "binance", Title: "Binance Futures Will Launch USDⓈ-Margined AVNTUSDT Perpetual Contract",
				Body: "Launch Time2026-01-08 15:00 (UTC)Maximum Leverage50xFunding Fee Settlement FrequencyEvery Four Hours"},
			collectors.Classification{Category: "perp_launch", Rule: "perp_contract", Symbols: []string{"AVNTUSDT"},
				StartsAt: time.Date(2026, 1, 8, 15, 0, 0, 0, time.UTC), MaxLeverage: 50, FundingIntervalHours: 4}},
		{"competition window from the feed",
			collectors.Announcement{Exchange: "bybit", Title: "WILD Trading Competition: Share $1.2M Worth of Rewards",
				EventStart: start, EventEnd: start.Add(7 * 24 * time.Hour)},
			collectors.Classification{Category: "trading_competition", Rule: "competition_named", Symbols: []string{"WILD"},
				RewardAmount: 1_200_000, RewardCurrency: "USD", StartsAt: start, EndsAt: start.Add(7 * 24 * time.Hour)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.in
			rules.Annotate(&a)
			got, want := a.Class, tt.want
			if got.Category != want.Category || got.Rule != want.Rule || !slices.Equal(got.Symbols, want.Symbols) ||
				got.RewardAmount != want.RewardAmount || got.RewardCurrency != want.RewardCurrency ||
				!got.StartsAt.Equal(want.StartsAt) || !got.EndsAt.Equal(want.EndsAt) ||
				got.MaxLeverage != want.MaxLeverage || got.FundingIntervalHours != want.FundingIntervalHours {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}
