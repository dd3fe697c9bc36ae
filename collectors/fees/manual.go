package fees

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// Manual is a fee tier entered in the config for what no page or endpoint
// shows (a negotiated market-maker rate, a schedule read from a PDF).
// Rates are fractions like the records: 0.0002 is 2 bps, negative a
// rebate; ParseRate turns "0.02%" into one.
type Manual struct {
	Exchange        string  `yaml:"exchange"`
	Product         string  `yaml:"product"`
	Tier            string  `yaml:"tier"`
	Maker           float64 `yaml:"maker"`
	Taker           float64 `yaml:"taker"`
	Min30dVolumeUSD float64 `yaml:"min_30d_volume_usd"`
	MinBalanceUSD   float64 `yaml:"min_balance_usd"`
}

// Validate reports every problem of the entry at once, for the config
// loader.
func (m Manual) Validate() error {
	var errs []error
	if m.Exchange == "" {
		errs = append(errs, errors.New("exchange is required"))
	}
	if m.Tier == "" {
		errs = append(errs, errors.New("tier is required"))
	}
	if !validProduct(m.Product) {
		errs = append(errs, fmt.Errorf("product %q is not one of usdm, coinm, usdc", m.Product))
	}
	for _, r := range []struct {
		name string
		v    float64
	}{{"maker", m.Maker}, {"taker", m.Taker}} {
		if math.IsNaN(r.v) || math.Abs(r.v) > maxRate {
			errs = append(errs, fmt.Errorf("%s %g is not a fraction within ±0.01 (write 0.0002 for 0.02%%)", r.name, r.v))
		}
	}
	if m.Min30dVolumeUSD < 0 || m.MinBalanceUSD < 0 {
		errs = append(errs, errors.New("thresholds cannot be negative"))
	}
	return errors.Join(errs...)
}

// Fee is the entry as a schedule row with Source manual.
func (m Manual) Fee(observed time.Time) collectors.Fee {
	return collectors.Fee{
		Exchange: m.Exchange, Product: m.Product, Tier: m.Tier,
		MakerRate: m.Maker, TakerRate: m.Taker,
		Min30dVolumeUSD: m.Min30dVolumeUSD, MinBalanceUSD: m.MinBalanceUSD,
		Source: collectors.FeeSourceManual, ObservedAt: observed.UTC(),
	}
}
