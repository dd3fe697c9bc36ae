package collectors

import (
	"context"
	"time"
)

// Announcement is one article from a rival's announcement feed: a listing,
// a delisting, a campaign, a fee or funding notice. The classifier reads
// its title and body; the body is fetched once per article.
type Announcement struct {
	Exchange    string
	ID          string // the exchange's own id: Binance article code, Bybit and OKX article URL path
	Title       string
	URL         string
	Feed        string // the list it came from: Binance catalog "48", Bybit type "new_crypto", OKX annType
	Body        string // the article's plain text; "" when BodyMissing
	BodyMissing bool   // the article page failed or was cut off: classified from the title, fetched again next sweep
	PublishedAt time.Time
	// EventStart and EventEnd are the campaign window when the feed itself
	// publishes one (Bybit's latest_activities); zero otherwise.
	EventStart, EventEnd time.Time
	ObservedAt           time.Time

	// Class is what the classifier read in the title and body.
	Class Classification
}

// Classification is an announcement's category and the facts extracted
// from its text (see collectors/classify). Zero values mean "not stated".
type Classification struct {
	Category string // listing, perp_launch, delisting, fee_change, fee_promo, …
	Rule     string // the rule that decided the category
	Symbols  []string
	// RewardAmount and RewardCurrency are the campaign's total pool; the
	// currency is USD for "$", else the token.
	RewardAmount   float64
	RewardCurrency string
	// StartsAt and EndsAt are the campaign period, the launch time of a
	// perp launch or the effective time of a notice; a DateOnly flag says
	// the text gave a day, not a time.
	StartsAt, EndsAt             time.Time
	StartsDateOnly, EndsDateOnly bool
	MaxLeverage                  float64
	FundingIntervalHours         float64
}

// KnownArticles tells which articles are already stored with a body under
// the same title. The store implements it; a known article is not fetched
// again, so a sweep with nothing new costs one list request per feed.
type KnownArticles interface {
	HasBody(exchange, id, title string) bool
}

// ArticleFetcher fetches an article's HTML page within the page body cap;
// *pages.Fetcher implements it.
type ArticleFetcher interface {
	Fetch(ctx context.Context, url string) ([]byte, error)
}

// Classifier fills an announcement's Class from its title and body.
type Classifier func(*Announcement)

// AnnouncementSources is what an exchange's announcement pull needs besides
// its API: what is stored already, how article pages are fetched, and the
// classifier run on every new or changed article before it is stored.
// Known may be nil (every listed article is then fetched); Classify must
// be set.
type AnnouncementSources struct {
	Known    KnownArticles
	Pages    ArticleFetcher
	Classify Classifier
}

var announcementsKind = kindSpec{kind: KindAnnouncements, len: func(r Records) int { return len(r.Announcements) },
	sort: func(r *Records) { sortByKey(r.Announcements, func(a Announcement) string { return a.ID }) }, feed: true}

// stampSeen sets each article's ObservedAt to the start of the pull that
// found it, on the sweep's clock: an article carries no fetch time of its
// own that means anything to us.
func stampSeen(r *Records, at time.Time) {
	for i := range r.Announcements {
		r.Announcements[i].ObservedAt = at
	}
}

// FeedPull is the announcements entry of an exchange's capability table:
// list reads the new articles with src, and each is classified. A nil src
// (announcements never configured) gives a pull that fails saying so.
func FeedPull(src *AnnouncementSources, list func(context.Context, AnnouncementSources) ([]Announcement, error)) PullFunc {
	if src == nil {
		return func(context.Context) (Records, error) {
			return Records{}, &Error{Kind: ErrInternal, Msg: "announcements are not configured"}
		}
	}
	return AnnouncementsPull(func(ctx context.Context) ([]Announcement, error) { return list(ctx, *src) }, src.Classify)
}

// AnnouncementsPull adapts a function listing new announcements to a
// PullFunc, classifying each one.
func AnnouncementsPull(f func(context.Context) ([]Announcement, error), classify Classifier) PullFunc {
	return func(ctx context.Context) (Records, error) {
		v, err := f(ctx)
		if err != nil {
			return Records{}, err
		}
		if classify == nil {
			return Records{}, &Error{Kind: ErrInternal, Msg: "announcements are collected without a classifier"}
		}
		for i := range v {
			classify(&v[i])
		}
		return Records{Announcements: v}, nil
	}
}

// NewArticles reads each feed in turn with list and returns the articles
// that are new or whose title changed, each with its text from body. An
// article listed in two feeds is returned once, with the first. A failed
// list fails the whole pull; a failed body leaves the article BodyMissing,
// to be fetched again next sweep. known may be nil: then every listed
// article is returned. now stamps ObservedAt.
func NewArticles(ctx context.Context, feeds []string, list func(ctx context.Context, feed string) ([]Announcement, error),
	known KnownArticles, body func(ctx context.Context, a Announcement) (string, error), now time.Time) ([]Announcement, error) {
	seen := make(map[string]bool)
	var out []Announcement
	for _, feed := range feeds {
		articles, err := list(ctx, feed)
		if err != nil {
			return nil, err
		}
		for _, a := range articles {
			if seen[a.ID] {
				continue
			}
			seen[a.ID] = true
			if known != nil && known.HasBody(a.Exchange, a.ID, a.Title) {
				continue
			}
			text, err := body(ctx, a)
			a.Body, a.BodyMissing = text, err != nil
			a.ObservedAt = now
			out = append(out, a)
		}
	}
	return out, nil
}
