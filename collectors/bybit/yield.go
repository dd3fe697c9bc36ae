package bybit

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/rivalwatch/rivalwatch/collectors"
)

const earnProductPath = "/v5/earn/product"

// earnCategories are the earn product families Bybit lists without a key.
var earnCategories = []string{"FlexibleSaving", "OnChain"}

// maxAPR is the highest believable yearly rate, 1000 %/yr: anything above
// is a unit mistake (a percentage read as a fraction) or a broken answer.
const maxAPR = 10

type earnPage struct {
	List []earnProduct `json:"list"`
}

// earnProduct is one product of /v5/earn/product. Bonus events (platform
// rewards on top) are left out: Bybit states estimateApr without them, and
// so do the other exchanges' rates this is compared with.
type earnProduct struct {
	Coin        string `json:"coin"`
	ProductID   string `json:"productId"`
	EstimateApr string `json:"estimateApr"`
	Status      string `json:"status"`
	Duration    string `json:"duration"` // Fixed or Flexible; "" for savings
	Term        int    `json:"term"`     // days, when Fixed
}

// Yield lists Bybit's flexible savings and on-chain earn products with
// their estimated APR. Products Bybit marks NotAvailable are left out: they
// cannot be subscribed to, so they offer nothing to compete with. An empty
// category or a rate outside 0–1000 %/yr fails the pull.
func (c *Collector) Yield(ctx context.Context) ([]collectors.Yield, error) {
	var out []collectors.Yield
	for _, category := range earnCategories {
		var page earnPage
		at, err := c.get(ctx, earnProductPath, url.Values{"category": {category}}, &page)
		if err != nil {
			return nil, fmt.Errorf("earn products %s: %w", category, err)
		}
		if len(page.List) == 0 {
			return nil, &collectors.Error{Kind: collectors.ErrEmpty, Path: earnProductPath, Msg: "no " + category + " products listed"}
		}
		if at.IsZero() {
			at = c.now().UTC()
		}
		for _, p := range page.List {
			if p.Status == "NotAvailable" {
				continue
			}
			apr, bad := parseAPR(p.EstimateApr)
			if bad != nil {
				bad.Path, bad.Msg = earnProductPath, fmt.Sprintf("%s %s estimateApr %s", category, collectors.CapRunes(p.Coin, 20), bad.Msg)
				return nil, bad
			}
			out = append(out, collectors.Yield{
				Exchange:   c.Exchange(),
				Product:    category,
				ProductID:  p.ProductID,
				Coin:       p.Coin,
				APR:        apr,
				Term:       term(p),
				ObservedAt: at,
			})
		}
	}
	return out, nil
}

// parseAPR reads estimateApr as a yearly fraction. Bybit's docs and
// examples send a percentage ("3%", "4.25%"); a bare number is read as a
// fraction already ("0.05" = 5 %/yr), the form every other rate here has.
func parseAPR(s string) (float64, *collectors.Error) {
	s = strings.TrimSpace(s)
	num, pct := strings.CutSuffix(s, "%")
	num = strings.TrimSpace(num)
	if pct {
		num += "e-2" // a decimal shift: "0.35%" is exactly 0.0035, not 0.35/100; "3e1%" fails
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, &collectors.Error{Kind: collectors.ErrMalformed, Msg: fmt.Sprintf("%q is not a rate", collectors.CapRunes(s, 40))}
	}
	if f < 0 || f > maxAPR {
		return 0, &collectors.Error{Kind: collectors.ErrImplausible, Msg: fmt.Sprintf("%q is outside 0 to 1000 %%/yr", s)}
	}
	return f, nil
}

// term is "flexible", or the lock-up in days of a Fixed on-chain product.
func term(p earnProduct) string {
	if strings.EqualFold(p.Duration, "Fixed") && p.Term > 0 {
		return strconv.Itoa(p.Term) + "d"
	}
	return "flexible"
}
