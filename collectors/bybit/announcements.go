package bybit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/collectors/pages"
)

const announcementsPath = "/v5/announcements/index"

// Untrusted text from the web is capped before it is stored or shown: a
// title of 500 runes holds every real one, and 200,000 bytes of body text
// is ten times a long announcement with tables.
const (
	maxTitleRunes = 500
	maxBodyBytes  = 200_000
)

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
	now := c.now().UTC()
	seen := make(map[string]bool)
	var out []collectors.Announcement
	for _, typ := range cfg.Types {
		list, err := c.announcementList(ctx, cfg, typ)
		if err != nil {
			return nil, fmt.Errorf("announcements of type %s: %w", typ, err)
		}
		for _, a := range list {
			if seen[a.ID] {
				continue
			}
			seen[a.ID] = true
			if known != nil && known.HasBody(a.Exchange, a.ID, a.Title) {
				continue
			}
			body, err := articleBody(ctx, fetcher, a.URL)
			a.Body, a.BodyMissing = body, err != nil
			a.ObservedAt = now
			out = append(out, a)
		}
	}
	return out, nil
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
	id, err := articleID(item.URL)
	if err != nil {
		return collectors.Announcement{}, err
	}
	a := collectors.Announcement{
		Exchange: "bybit",
		ID:       id,
		Title:    capRunes(strings.TrimSpace(item.Title), maxTitleRunes),
		URL:      item.URL,
		Feed:     feed,
	}
	if a.PublishedAt, err = millisField("dateTimestamp", item.Date); err != nil {
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
	t, err := millisField(name, raw)
	if err != nil || !t.IsZero() {
		return t, err
	}
	return millisField(alias, aliasRaw)
}

// millisField parses epoch milliseconds sent as a number or a string;
// absent, null, "" and 0 are the zero time.
func millisField(name string, raw json.RawMessage) (time.Time, error) {
	s := string(bytes.TrimSpace(raw))
	if s == "" || s == "null" {
		return time.Time{}, nil
	}
	if s[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, fmt.Errorf("%s is not a millisecond timestamp: %.40s", name, raw)
		}
		if s == "" {
			return time.Time{}, nil
		}
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s is not a millisecond timestamp: %.40s", name, raw)
	}
	return collectors.Millis(ms), nil
}

// locale matches a leading locale segment such as en-US or zh-TW.
var locale = regexp.MustCompile(`^[a-z]{2}(-[A-Za-z]{2,4})?$`)

// articleID is the article URL's path without its locale, so that the
// same article read under another locale keeps its id.
func articleID(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("url is not a web address: %q", capRunes(raw, 80))
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(segs) > 1 && locale.MatchString(segs[0]) {
		segs = segs[1:]
	}
	id := "/" + strings.Join(segs, "/")
	if id == "/" {
		return "", fmt.Errorf("url has no article path: %q", capRunes(raw, 80))
	}
	return id, nil
}

// articleBody fetches an article page and returns its capped text; any
// failure is returned so that the caller marks the article BodyMissing.
func articleBody(ctx context.Context, fetcher ArticleFetcher, url string) (string, error) {
	page, err := fetcher.Fetch(ctx, url)
	if err != nil {
		return "", err
	}
	text, err := articleText(page)
	if err != nil {
		return "", err
	}
	if text == "" {
		return "", &collectors.Error{Kind: collectors.ErrEmpty, Msg: "the article page has no text"}
	}
	return capBytes(text, maxBodyBytes), nil
}

// articleSelectors are tried in turn for an article's text: the article
// element, else the page's main content, else the whole body (which every
// parsed page has). An empty match, such as a placeholder a script fills
// in, moves on to the next.
var articleSelectors = []string{"article", "main", "body"}

func articleText(page []byte) (string, error) {
	var err error
	for _, sel := range articleSelectors {
		var text string
		if text, err = pages.Text(page, sel); err == nil && text != "" {
			return text, nil
		}
	}
	return "", err
}

// capRunes keeps at most n runes of s.
func capRunes(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// capBytes keeps at most n bytes of s, cut at a rune boundary.
func capBytes(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
