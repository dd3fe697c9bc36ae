package collectors

import "time"

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
}
