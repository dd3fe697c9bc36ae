package classify

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// realdata is the shared folder of real captured exchange answers beside
// the project; it is read, never copied.
const realdata = "../../../shared/realdata"

// TestRealTitles classifies the real announcement titles in the shared
// captures: each lands in a sensible category and nothing panics.
func TestRealTitles(t *testing.T) {
	if _, err := os.Stat(realdata); err != nil {
		t.Skip("../shared/realdata not found: ", err)
	}
	rules := defaultRules(t)
	var binance struct {
		Data struct {
			Catalogs []struct {
				CatalogID int `json:"catalogId"`
				Articles  []struct {
					Title string `json:"title"`
				} `json:"articles"`
			} `json:"catalogs"`
		} `json:"data"`
	}
	readJSON(t, filepath.Join(realdata, "binance/cms-article-list-delisting-catalog161.json"), &binance)
	var bybit struct {
		Result struct {
			List []struct {
				Title       string `json:"title"`
				Description string `json:"description"`
				Type        struct {
					Key string `json:"key"`
				} `json:"type"`
			} `json:"list"`
		} `json:"result"`
	}
	readJSON(t, filepath.Join(realdata, "bybit/v5-announcements-index.json"), &bybit)

	// The category a feed's articles may sensibly get.
	sensible := map[string][]string{
		"binance 161":      {Delisting},
		"bybit new_crypto": {Listing, PerpLaunch, TradingCompetition},
	}
	n := 0
	for _, c := range binance.Data.Catalogs {
		for _, a := range c.Articles {
			got := rules.Classify(Input{Exchange: "binance", Title: a.Title})
			if want := sensible["binance 161"]; c.CatalogID == 161 && !slices.Contains(want, got.Category) {
				t.Errorf("%q: %s, want one of %v", a.Title, got.Category, want)
			}
			n++
		}
	}
	for _, a := range bybit.Result.List {
		got := rules.Classify(Input{Exchange: "bybit", Title: a.Title, Body: a.Description})
		if want, ok := sensible["bybit "+a.Type.Key]; ok && !slices.Contains(want, got.Category) {
			t.Errorf("%q: %s, want one of %v", a.Title, got.Category, want)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no titles found in the captures")
	}
	t.Logf("%d real titles classified", n)
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
