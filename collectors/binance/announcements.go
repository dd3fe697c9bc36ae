package binance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// The binance.com CMS paths: undocumented, keyless, behind a WAF that
// answers with HTML challenge pages now and then.
const (
	cmsListPath   = "/bapi/composite/v1/public/cms/article/list/query"
	cmsDetailPath = "/bapi/composite/v1/public/cms/article/detail/query"
)

// cmsOK is the CMS's success code; anything else is an API error.
const cmsOK = "000000"

// articleURL is where people read an announcement. It is the public site
// whatever WebURL points at (a proxy, a replay), because the link ends up
// in digests that people click.
const articleURL = "https://www.binance.com/en/support/announcement/"

// Untrusted text from the web is capped before it is stored or shown: a
// title of 500 runes holds every real one (the longest seen are ~150), and
// 200,000 bytes of body text is ten times a long announcement with tables.
const ()

// Defaults for AnnouncementsConfig.
const (
	DefaultWebURL   = "https://www.binance.com"
	DefaultPageSize = 20
)

// DefaultCatalogs are the CMS catalogs read when none are configured: new
// listings (48), latest activities (93), delistings (161), news (49, where
// fee, funding and margin-tier changes go) and airdrops (128).
var DefaultCatalogs = []int{48, 93, 161, 49, 128}

// AnnouncementsConfig says which CMS catalogs to read and where.
type AnnouncementsConfig struct {
	WebURL   string // the binance.com web host the CMS JSON lives on; empty for DefaultWebURL
	Catalogs []int  // catalog ids in priority order; empty for DefaultCatalogs
	PageSize int    // articles per catalog and sweep; 0 for DefaultPageSize
}

func (cfg AnnouncementsConfig) withDefaults() AnnouncementsConfig {
	cfg.WebURL = strings.TrimRight(cfg.WebURL, "/")
	if cfg.WebURL == "" {
		cfg.WebURL = DefaultWebURL
	}
	if len(cfg.Catalogs) == 0 {
		cfg.Catalogs = DefaultCatalogs
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultPageSize
	}
	return cfg
}

// KnownArticles tells which articles are already stored with a body; an
// article known under the same title is not fetched again, so an unchanged
// sweep costs one list request per catalog.
type KnownArticles = collectors.KnownArticles

// WithAnnouncements enables the announcements kind: the catalogs to read,
// what is stored already and the classifier (src.Pages is not used: the
// CMS serves bodies as JSON). It returns c.
func (c *Collector) WithAnnouncements(cfg AnnouncementsConfig, src collectors.AnnouncementSources) *Collector {
	c.annCfg, c.annSrc = cfg, &src
	return c
}

func (c *Collector) announcementsPull() collectors.PullFunc {
	return collectors.FeedPull(c.annSrc, func(ctx context.Context, src collectors.AnnouncementSources) ([]collectors.Announcement, error) {
		return c.Announcements(ctx, c.annCfg, src.Known)
	})
}

// Announcements reads the first page of every configured catalog and
// returns the articles that are new or whose title changed, each with its
// body from the CMS detail answer. An article seen in two catalogs is
// returned once, with the first catalog. A failed list request fails the
// pull; a failed body leaves the article BodyMissing, to be fetched again
// next sweep. known may be nil: then every listed article is returned.
func (c *Collector) Announcements(ctx context.Context, cfg AnnouncementsConfig, known KnownArticles) ([]collectors.Announcement, error) {
	cfg = cfg.withDefaults()
	catalogs := make([]string, len(cfg.Catalogs))
	for i, id := range cfg.Catalogs {
		catalogs[i] = strconv.Itoa(id)
	}
	return collectors.NewArticles(ctx, catalogs, func(ctx context.Context, catalog string) ([]collectors.Announcement, error) {
		id, _ := strconv.Atoi(catalog)
		list, err := c.cmsList(ctx, cfg, id)
		if err != nil {
			return nil, fmt.Errorf("announcement catalog %d: %w", id, err)
		}
		return list, nil
	}, known, func(ctx context.Context, a collectors.Announcement) (string, error) {
		return c.cmsBody(ctx, cfg, a.ID)
	}, c.now().UTC())
}

// cmsEnvelope wraps every CMS answer; code is a string.
type cmsEnvelope struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

type cmsListData struct {
	Catalogs []struct {
		CatalogID int          `json:"catalogId"`
		Articles  []cmsArticle `json:"articles"`
	} `json:"catalogs"`
}

// cmsArticle is one list entry. Which of releaseDate and publishDate the
// list carries has changed over time; either is epoch milliseconds.
type cmsArticle struct {
	Code        string `json:"code"`
	Title       string `json:"title"`
	ReleaseDate int64  `json:"releaseDate"`
	PublishDate int64  `json:"publishDate"`
}

type cmsDetailData struct {
	Code string `json:"code"`
	Body string `json:"body"` // a JSON rich-text tree, encoded as a string
}

// articleCode is what a CMS article code looks like (32 hex digits today);
// anything else would be pasted into URLs, so it is refused.
var articleCode = regexp.MustCompile(`^[0-9A-Za-z]{1,64}$`)

func (c *Collector) cmsList(ctx context.Context, cfg AnnouncementsConfig, catalog int) ([]collectors.Announcement, error) {
	q := url.Values{
		"type":      {"1"},
		"catalogId": {strconv.Itoa(catalog)},
		"pageNo":    {"1"},
		"pageSize":  {strconv.Itoa(cfg.PageSize)},
	}
	var data cmsListData
	if err := c.cms(ctx, cfg.WebURL, cmsListPath, q, &data); err != nil {
		return nil, err
	}
	var out []collectors.Announcement
	for _, cat := range data.Catalogs {
		feed := cat.CatalogID
		if feed == 0 {
			feed = catalog
		}
		for _, a := range cat.Articles {
			if !articleCode.MatchString(a.Code) {
				return nil, &collectors.Error{Kind: collectors.ErrMalformed, Path: cmsListPath,
					Msg: fmt.Sprintf("an article code is not an id: %q", collectors.CapRunes(a.Code, 40))}
			}
			published := a.ReleaseDate
			if published == 0 {
				published = a.PublishDate
			}
			out = append(out, collectors.Announcement{
				Exchange:    c.Exchange(),
				ID:          a.Code,
				Title:       collectors.CapRunes(strings.TrimSpace(a.Title), collectors.MaxTitleRunes),
				URL:         articleURL + a.Code,
				Feed:        strconv.Itoa(feed),
				PublishedAt: collectors.Millis(published),
			})
		}
	}
	return out, nil
}

// cmsBody fetches and flattens one article's body. Any failure is returned
// so that the caller marks the article BodyMissing.
func (c *Collector) cmsBody(ctx context.Context, cfg AnnouncementsConfig, code string) (string, error) {
	var data cmsDetailData
	if err := c.cms(ctx, cfg.WebURL, cmsDetailPath, url.Values{"articleCode": {code}}, &data); err != nil {
		return "", err
	}
	if data.Code != code {
		return "", &collectors.Error{Kind: collectors.ErrMalformed, Path: cmsDetailPath, Msg: "the answer is for another article"}
	}
	var root richNode
	if err := json.Unmarshal([]byte(data.Body), &root); err != nil {
		return "", &collectors.Error{Kind: collectors.ErrMalformed, Path: cmsDetailPath, Msg: "the article body is not a rich-text tree", Err: err}
	}
	text := flatten(&root)
	if text == "" {
		return "", &collectors.Error{Kind: collectors.ErrEmpty, Path: cmsDetailPath, Msg: "the article has no text"}
	}
	return collectors.CapBytes(text, collectors.MaxBodyBytes), nil
}

// cms sends one CMS request through the collector's client and decodes
// the envelope's data into out. The transport has already turned HTTP
// errors, HTML challenge pages and oversized bodies into *collectors.Error.
func (c *Collector) cms(ctx context.Context, base, path string, q url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path+"?"+q.Encode(), nil)
	if err != nil {
		return &collectors.Error{Kind: collectors.ErrInternal, Path: path, Err: err}
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return cmsError(path, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return &collectors.Error{Kind: collectors.ErrTruncated, Path: path, Status: resp.StatusCode, Msg: "the response ended early", Err: err}
	}
	var env cmsEnvelope
	if err := collectors.DecodeJSON(body, &env); err != nil {
		return cmsError(path, err)
	}
	if env.Code != cmsOK {
		return &collectors.Error{Kind: collectors.ErrAPI, Path: path, Status: resp.StatusCode,
			Msg: fmt.Sprintf("code %q: %s", collectors.CapRunes(env.Code, 20), collectors.CapRunes(env.Message, 200))}
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		return &collectors.Error{Kind: collectors.ErrMalformed, Path: path, Msg: "no data in the answer"}
	}
	return cmsError(path, collectors.DecodeJSON(env.Data, out))
}

// cmsError keeps the failure kind and names the path once; http.Client
// wraps the transport's *collectors.Error in a *url.Error that repeats the
// whole URL.
func cmsError(path string, err error) error {
	if err == nil {
		return nil
	}
	e, ok := collectors.Classify(err).(*collectors.Error)
	if !ok {
		return &collectors.Error{Kind: collectors.ErrNetwork, Path: path, Err: err}
	}
	if e.Path == "" {
		e.Path = path
	}
	return e
}

// richNode is one node of the CMS rich-text tree: a root, an element with
// a tag and children, or a text leaf.
type richNode struct {
	Node  string      `json:"node"`
	Tag   string      `json:"tag"`
	Text  string      `json:"text"`
	Child []*richNode `json:"child"`
}

// Block tags end a line; cells are joined with " | " so that a table row
// reads "Launch Time | 2026-01-08" instead of gluing the cells together.
var blockTags = map[string]bool{
	"p": true, "li": true, "div": true, "br": true, "tr": true, "table": true,
	"ul": true, "ol": true, "blockquote": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
}

func isCell(n *richNode) bool {
	return n != nil && n.Node == "element" && (n.Tag == "td" || n.Tag == "th")
}

// flatten turns the tree into plain text, one line per block, spaces
// collapsed, empty lines dropped.
func flatten(root *richNode) string {
	var b strings.Builder
	writeNode(&b, root, false)
	return tidyLines(b.String())
}

// writeNode writes n's text. A block starts and ends a line (empty lines
// are dropped later); inside a table cell it is set off by spaces instead,
// so one row stays on one line.
func writeNode(b *strings.Builder, n *richNode, inCell bool) {
	if n == nil {
		return
	}
	if n.Node == "text" {
		b.WriteString(n.Text)
		return
	}
	brk := byte(0)
	if n.Node == "element" && blockTags[n.Tag] {
		brk = '\n'
		if inCell {
			brk = ' '
		}
		b.WriteByte(brk)
	}
	cells := 0
	for _, ch := range n.Child {
		if isCell(ch) {
			if cells > 0 {
				b.WriteString(" | ")
			}
			cells++
		}
		writeNode(b, ch, inCell || isCell(ch))
	}
	if brk != 0 {
		b.WriteByte(brk)
	}
}

// tidyLines collapses runs of white space (non-breaking spaces included)
// within each line and drops empty lines.
func tidyLines(s string) string {
	var lines []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.Join(strings.Fields(line), " "); line != "" {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}
