package classify

import "github.com/rivalwatch/rivalwatch/collectors"

// Annotate classifies a collected announcement in place, from its title
// and body (the title alone when the body is missing), and fills its Class.
// It is the collector's and `rivalwatch classify --reclassify`'s one path
// into Classify.
func (r *Rules) Annotate(a *collectors.Announcement) {
	res := r.Classify(Input{Exchange: a.Exchange, Title: a.Title, Body: a.Body, PublishedAt: a.PublishedAt})
	c := collectors.Classification{
		Category:             res.Category,
		Rule:                 res.Rule,
		Symbols:              res.Symbols,
		MaxLeverage:          res.MaxLeverage,
		FundingIntervalHours: res.FundingIntervalHours,
	}
	if res.RewardPool != nil {
		c.RewardAmount, c.RewardCurrency = res.RewardPool.Amount, res.RewardPool.Currency
	}
	if res.StartsAt != nil {
		c.StartsAt, c.StartsDateOnly = res.StartsAt.Time.UTC(), res.StartsAt.DateOnly
	}
	if res.EndsAt != nil {
		c.EndsAt, c.EndsDateOnly = res.EndsAt.Time.UTC(), res.EndsAt.DateOnly
	}
	// A campaign window the feed publishes itself (Bybit's activities) is
	// better than one read from prose.
	if c.StartsAt.IsZero() && !a.EventStart.IsZero() {
		c.StartsAt = a.EventStart.UTC()
	}
	if c.EndsAt.IsZero() && !a.EventEnd.IsZero() {
		c.EndsAt = a.EventEnd.UTC()
	}
	a.Class = c
}
