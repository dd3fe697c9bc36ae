package bybit

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/pages"
)

const announcementsPath = "/v5/announcements/index"

// Untrusted text from the web is capped before it is stored or shown: a
// title of 500 runes holds every real one, and 200,000 bytes of body text
// is ten times a long announcement with tables.
const ()

// Defaults for AnnouncementsConfig.
const (
	DefaultLocale            = "en-US"
	DefaultAnnouncementLimit = 20
)

// DefaultAnnouncementTypes are the feeds read when none are configured:
// listings, campaigns (with their event window), delistings and product
// changes (fees, funding, leverage).
var DefaultAnnouncementTypes = []string{"new_crypto", "latest_activities", "delistings", "product_updates"}

// AnnouncementsConfig says which announcement feeds to read.
type AnnouncementsConfig struct {
	Locale string   // Bybit's required locale; empty for DefaultLocale
	Types  []string // announcement types; empty for DefaultAnnouncementTypes
	Limit  int      // articles per type and sweep; 0 for DefaultAnnouncementLimit
	// PagesURL, when set, replaces the scheme and host of every article
	// link for fetching (a replay server); the stored link stays Bybit's.
	PagesURL string
}

func (cfg AnnouncementsConfig) withDefaults() AnnouncementsConfig {
	if cfg.Locale == "" {
		cfg.Locale = DefaultLocale
	}
	if len(cfg.Types) == 0 {
		cfg.Types = DefaultAnnouncementTypes
	}
	if cfg.Limit <= 0 {
		cfg.Limit = DefaultAnnouncementLimit
	}
	return cfg
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

// Announcements reads the first page of every configured type and returns
// the articles that are new or whose title changed, each with the text of
// its article page fetched through fetcher. An article listed under two types
// is returned once, with the first. A failed list request fails the pull; a
// failed page leaves the article BodyMissing, to be fetched again next
// sweep. known may be nil: then every listed article is returned.
func (c *Collector) Announcements(ctx context.Context, cfg AnnouncementsConfig, known KnownArticles, fetcher ArticleFetcher) ([]collectors.Announcement, error) {
	cfg = cfg.withDefaults()
	return collectors.NewArticles(ctx, cfg.Types, func(ctx context.Context, typ string) ([]collectors.Announcement, error) {
		list, err := c.announcementList(ctx, cfg, typ)
		if err != nil {
			return nil, fmt.Errorf("announcements of type %s: %w", typ, err)
		}
		return list, nil
	}, known, func(ctx context.Context, a collectors.Announcement) (string, error) {
		return pages.ArticleBody(ctx, fetcher, a.URL)
	}, c.now().UTC())
}

type announcementPage struct {
	List []announcement `json:"list"`
}

// announcement is one list entry. Bybit's docs spell the event window
// startDataTimestamp/endDataTimestamp while its answers say
// startDateTimestamp/endDateTimestamp; both are read. Times are epoch
// milliseconds, as numbers or strings.
type announcement struct {
	Title string `json:"title"`
	URL   string `json:"url"`
	Type  struct {
		Key string `json:"key"`
	} `json:"type"`
	Date      json.RawMessage `json:"dateTimestamp"`
	StartDate json.RawMessage `json:"startDateTimestamp"`
	StartData json.RawMessage `json:"startDataTimestamp"`
	EndDate   json.RawMessage `json:"endDateTimestamp"`
	EndData   json.RawMessage `json:"endDataTimestamp"`
}

// activities is the only type whose event window means something.
const activities = "latest_activities"

func (c *Collector) announcementList(ctx context.Context, cfg AnnouncementsConfig, typ string) ([]collectors.Announcement, error) {
	q := url.Values{"locale": {cfg.Locale}, "type": {typ}, "page": {"1"}, "limit": {strconv.Itoa(cfg.Limit)}}
	var page announcementPage
	if _, err := c.get(ctx, announcementsPath, q, &page); err != nil {
		return nil, err
	}
	out := make([]collectors.Announcement, 0, len(page.List))
	for _, item := range page.List {
		a, err := item.normalize(typ)
		if err != nil {
			return nil, &collectors.Error{Kind: collectors.ErrMalformed, Path: announcementsPath, Msg: err.Error()}
		}
		out = append(out, a)
	}
	return out, nil
}

func (item announcement) normalize(feed string) (collectors.Announcement, error) {
	id, err := collectors.ArticleID(item.URL)
	if err != nil {
		return collectors.Announcement{}, err
	}
	a := collectors.Announcement{
		Exchange: "bybit",
		ID:       id,
		Title:    collectors.CapRunes(strings.TrimSpace(item.Title), collectors.MaxTitleRunes),
		URL:      item.URL,
		Feed:     feed,
	}
	if a.PublishedAt, err = collectors.MillisField("dateTimestamp", item.Date); err != nil {
		return a, fmt.Errorf("article %s: %w", id, err)
	}
	if item.Type.Key != activities && feed != activities {
		return a, nil
	}
	if a.EventStart, err = eitherMillis("startDateTimestamp", item.StartDate, "startDataTimestamp", item.StartData); err != nil {
		return a, fmt.Errorf("article %s: %w", id, err)
	}
	if a.EventEnd, err = eitherMillis("endDateTimestamp", item.EndDate, "endDataTimestamp", item.EndData); err != nil {
		return a, fmt.Errorf("article %s: %w", id, err)
	}
	return a, nil
}

// eitherMillis reads whichever of two spellings of a field is set.
func eitherMillis(name string, raw json.RawMessage, alias string, aliasRaw json.RawMessage) (time.Time, error) {
	t, err := collectors.MillisField(name, raw)
	if err != nil || !t.IsZero() {
		return t, err
	}
	return collectors.MillisField(alias, aliasRaw)
}
