package okx

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/pages"
)

const pathAnnouncements = "/api/v5/support/announcements"

// Untrusted text from the web is capped before it is stored or shown: a
// title of 500 runes holds every real one, and 200,000 bytes of body text
// is ten times a long announcement with tables.
const ()

// DefaultAnnTypes are the feeds read when none are configured: listings,
// delistings, trading updates (fees, funding, leverage), general
// announcements and campaigns.
var DefaultAnnTypes = []string{
	"announcements-new-listings",
	"announcements-delistings",
	"announcements-trading-updates",
	"announcements-latest-announcements",
	"latest-events",
}

// AnnouncementsConfig says which announcement feeds to read.
type AnnouncementsConfig struct {
	AnnTypes []string // OKX annType values; empty for DefaultAnnTypes
	// PagesURL, when set, replaces the scheme and host of every article
	// link for fetching (a replay server); the stored link stays OKX's.
	PagesURL string
}

// KnownArticles tells which articles are already stored with a body; an
// article known under the same title is not fetched again, so an unchanged
// sweep costs one list request per type.
type KnownArticles = collectors.KnownArticles

// ArticleFetcher fetches an article's HTML page, within the page body cap.
type ArticleFetcher = collectors.ArticleFetcher

// WithAnnouncements enables the announcements kind: the feeds to read,
// what is stored already, the article fetcher and the classifier. It
// returns c.
func (c *Collector) WithAnnouncements(cfg AnnouncementsConfig, src collectors.AnnouncementSources) *Collector {
	c.annCfg, c.annSrc = cfg, &src
	return c
}

func (c *Collector) announcementsPull() collectors.PullFunc {
	return collectors.FeedPull(c.annSrc, func(ctx context.Context, src collectors.AnnouncementSources) ([]collectors.Announcement, error) {
		return c.Announcements(ctx, c.annCfg, src.Known, pages.Rebase(c.annCfg.PagesURL, src.Pages))
	})
}

// Announcements reads the first page (20 articles) of every configured
// annType and returns the articles that are new or whose title changed,
// each with the text of its article page fetched through fetcher. An article
// listed under two types is returned once, with the first. OKX filters the
// public list by the caller's IP, so an empty list is an empty feed, not a
// removal: announcements only ever add up. A failed list request fails the
// pull; a failed page leaves the article BodyMissing, to be fetched again
// next sweep. known may be nil: then every listed article is returned.
func (c *Collector) Announcements(ctx context.Context, cfg AnnouncementsConfig, known KnownArticles, fetcher ArticleFetcher) ([]collectors.Announcement, error) {
	types := cfg.AnnTypes
	if len(types) == 0 {
		types = DefaultAnnTypes
	}
	return collectors.NewArticles(ctx, types, func(ctx context.Context, typ string) ([]collectors.Announcement, error) {
		list, err := c.announcementList(ctx, typ)
		if err != nil {
			return nil, fmt.Errorf("announcements of type %s: %w", typ, err)
		}
		return list, nil
	}, known, func(ctx context.Context, a collectors.Announcement) (string, error) {
		return pages.ArticleBody(ctx, fetcher, a.URL)
	}, c.now().UTC())
}

// announcementPage is one element of the answer's data list; the articles
// sit in its details.
type announcementPage struct {
	Details []announcement `json:"details"`
}

// announcement is one list entry. pTime is the first publication,
// businessPTime the time OKX displays; both are epoch milliseconds in
// strings.
type announcement struct {
	Title         string          `json:"title"`
	URL           string          `json:"url"`
	PTime         json.RawMessage `json:"pTime"`
	BusinessPTime json.RawMessage `json:"businessPTime"`
}

func (c *Collector) announcementList(ctx context.Context, typ string) ([]collectors.Announcement, error) {
	var data []announcementPage
	err := c.get(ctx, pathAnnouncements, url.Values{"annType": {typ}, "page": {"1"}}, &data)
	if collectors.KindOf(err) == collectors.ErrEmpty {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []collectors.Announcement
	for _, p := range data {
		for _, item := range p.Details {
			a, err := item.normalize(typ)
			if err != nil {
				return nil, &collectors.Error{Kind: collectors.ErrMalformed, Path: pathAnnouncements, Msg: err.Error()}
			}
			out = append(out, a)
		}
	}
	return out, nil
}

func (item announcement) normalize(feed string) (collectors.Announcement, error) {
	id, err := collectors.ArticleID(item.URL)
	if err != nil {
		return collectors.Announcement{}, err
	}
	a := collectors.Announcement{
		Exchange: "okx",
		ID:       id,
		Title:    collectors.CapRunes(strings.TrimSpace(item.Title), collectors.MaxTitleRunes),
		URL:      item.URL,
		Feed:     feed,
	}
	if a.PublishedAt, err = collectors.MillisField("pTime", item.PTime); err != nil {
		return a, fmt.Errorf("article %s: %w", id, err)
	}
	if a.PublishedAt.IsZero() {
		if a.PublishedAt, err = collectors.MillisField("businessPTime", item.BusinessPTime); err != nil {
			return a, fmt.Errorf("article %s: %w", id, err)
		}
	}
	return a, nil
}
