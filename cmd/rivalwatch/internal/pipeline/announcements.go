package pipeline

import (
	"context"
	"slices"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/diff"
	"github.com/rivalwatch/rivalwatch/reports"
	"github.com/rivalwatch/rivalwatch/store"
)

// promoCategories are the campaign categories promo.ending watches.
var promoCategories = []string{"trading_competition", "airdrop", "launchpool", "deposit_bonus", "fee_promo"}

// announcements turns one announcements run into events: what its new or
// changed articles announce, and the stored campaigns now ending. An
// exchange's first complete run is a baseline: the feeds' back catalogue
// is not news.
func (d *Detector) announcements(ctx context.Context, r store.Run) ([]diff.Change, error) {
	snaps, err := d.history(ctx, r.Exchange, r.Kind, r.StartedAt, 2)
	if err != nil || len(snaps) < 2 {
		return nil, err
	}
	next := snaps[1]
	if snaps[0].ID == next.ID {
		// An unchanged run brings no article, but time passes: campaigns
		// may now be ending.
		next.Records = collectors.Records{}
	}
	next.At = r.StartedAt
	changes := diff.Announcements(d.cfg, r.Exchange, next)
	active, err := d.st.Announcements(ctx, store.AnnouncementFilter{Exchange: r.Exchange, Categories: promoCategories,
		EndsAfter: r.StartedAt, SeenBefore: r.StartedAt.Add(1)})
	if err != nil {
		return nil, err
	}
	return append(changes, diff.EndingPromos(d.cfg, r.Exchange, active, r.StartedAt, next.ID)...), nil
}

// linkAnnounced links new listings to the exchange's perp launch
// announcements, so the digest can say how far ahead each was announced.
func (d *Detector) linkAnnounced(ctx context.Context, exchange string, changes []diff.Change) ([]diff.Change, error) {
	if !slices.ContainsFunc(changes, func(c diff.Change) bool {
		return c.Type == diff.ListingNew || c.Type == diff.ListingPrelaunch
	}) {
		return changes, nil
	}
	anns, err := d.st.Announcements(ctx, store.AnnouncementFilter{Exchange: exchange, Categories: []string{"perp_launch"}})
	if err != nil {
		return nil, err
	}
	return diff.LinkAnnounced(changes, anns), nil
}

func (d *Detector) yield(ctx context.Context, r store.Run) ([]diff.Change, error) {
	snaps, err := d.history(ctx, r.Exchange, r.Kind, r.StartedAt, 2)
	if err != nil || len(snaps) < 2 {
		return nil, err
	}
	return diff.Yield(d.cfg, r.Exchange, snaps[0], snaps[1]), nil
}

// digestCategories are the announcements a digest shows: campaigns, and
// launches and delistings announced ahead.
var digestCategories = append([]string{"perp_launch", "delisting"}, promoCategories...)

// announcementsInput adds the stored campaigns and announced launches and
// delistings seen before end, and every exchange's newest yield products.
func announcementsInput(ctx context.Context, st Reader, in *reports.Input, exchanges []string, end time.Time) error {
	anns, err := st.Announcements(ctx, store.AnnouncementFilter{Categories: digestCategories, SeenBefore: end})
	if err != nil {
		return err
	}
	in.Announcements = anns
	for _, ex := range exchanges {
		refs, err := st.CompleteRuns(ctx, ex, collectors.KindYield, end, 1)
		if err != nil {
			return err
		}
		if len(refs) == 0 {
			continue
		}
		recs, err := st.Records(ctx, refs[0].SnapshotID)
		if err != nil {
			return err
		}
		in.Yields = append(in.Yields, recs.Yield...)
	}
	return nil
}
