package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/rivalwatch/rivalwatch/collectors"
)

// Announcements are an append-only feed (collectors.Kind.Feed): a pull
// holds only the articles new or changed since the last, and each article
// is one row, written again when it changes (a new title, a body fetched
// on retry, a new classification).
var announcementStore = kindStore{
	kind:   collectors.KindAnnouncements,
	noun:   "announcement",
	insert: insertAnnouncements,
	read:   readAnnouncements,
	hash: func(h *hasher, recs collectors.Records, check func(exchange, key string) error) error {
		for _, a := range recs.Announcements {
			if err := check(a.Exchange, a.ID); err != nil {
				return err
			}
			h.str("a", a.ID, a.Title, a.URL, a.Feed, a.Body, strings.Join(a.Class.Symbols, "\x00"),
				a.Class.Category, a.Class.Rule, a.Class.RewardCurrency)
			h.num(b2f(a.BodyMissing), a.Class.RewardAmount, a.Class.MaxLeverage, a.Class.FundingIntervalHours,
				b2f(a.Class.StartsDateOnly), b2f(a.Class.EndsDateOnly), float64(len(a.Class.Symbols)))
			h.time(a.PublishedAt, a.EventStart, a.EventEnd, a.Class.StartsAt, a.Class.EndsAt)
		}
		return nil
	},
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// announcementColumns are read back in this order by scanAnnouncement.
const announcementColumns = `exchange, id, title, url, feed, body, body_missing, published_at, event_start, event_end,
	category, rule, symbols, reward_pool_amount, reward_pool_currency, starts_at, ends_at,
	max_leverage, funding_interval_hours, first_seen_at`

func insertAnnouncements(ctx context.Context, tx writeTx, id int64, recs collectors.Records) error {
	for _, a := range recs.Announcements {
		key := titleKey(a.Title, a.PublishedAt)
		var original sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT id FROM announcement_rows
			WHERE exchange = ? AND title_key = ? AND id <> ? AND duplicate_of IS NULL LIMIT 1`,
			a.Exchange, key, a.ID).Scan(&original)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find reposts of announcement %s: %w", a.ID, err)
		}
		symbols, err := json.Marshal(nonNil(a.Class.Symbols))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO announcement_rows
			(exchange, id, snapshot_id, title, url, feed, body, body_missing, published_at, event_start, event_end,
			 category, rule, symbols, reward_pool_amount, reward_pool_currency, starts_at, ends_at,
			 max_leverage, funding_interval_hours, title_key, duplicate_of, first_seen_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (exchange, id) DO UPDATE SET
			 snapshot_id = excluded.snapshot_id, title = excluded.title, url = excluded.url, feed = excluded.feed,
			 body = excluded.body, body_missing = excluded.body_missing, published_at = excluded.published_at,
			 event_start = excluded.event_start, event_end = excluded.event_end, category = excluded.category,
			 rule = excluded.rule, symbols = excluded.symbols, reward_pool_amount = excluded.reward_pool_amount,
			 reward_pool_currency = excluded.reward_pool_currency, starts_at = excluded.starts_at,
			 ends_at = excluded.ends_at, max_leverage = excluded.max_leverage,
			 funding_interval_hours = excluded.funding_interval_hours, title_key = excluded.title_key`,
			a.Exchange, a.ID, id, a.Title, a.URL, a.Feed, a.Body, a.BodyMissing, timeValue(a.PublishedAt),
			timeValue(a.EventStart), timeValue(a.EventEnd), a.Class.Category, a.Class.Rule, string(symbols),
			optional(a.Class.RewardAmount), nullString(a.Class.RewardCurrency),
			whenValue(a.Class.StartsAt, a.Class.StartsDateOnly), whenValue(a.Class.EndsAt, a.Class.EndsDateOnly),
			optional(a.Class.MaxLeverage), optional(a.Class.FundingIntervalHours), key, original, bound(a.ObservedAt))
		if err != nil {
			return fmt.Errorf("insert announcement %s: %w", a.ID, err)
		}
	}
	return nil
}

func readAnnouncements(ctx context.Context, tx *sql.Tx, id int64, _ string, recs *collectors.Records) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+announcementColumns+` FROM announcement_rows
		WHERE snapshot_id = ? AND duplicate_of IS NULL ORDER BY id`, id)
	if err != nil {
		return err
	}
	err = scanRows(rows, func() error {
		a, err := scanAnnouncement(rows)
		recs.Announcements = append(recs.Announcements, a)
		return err
	})
	if err != nil {
		return fmt.Errorf("announcements: %w", err)
	}
	return nil
}

func scanAnnouncement(rows *sql.Rows) (collectors.Announcement, error) {
	var a collectors.Announcement
	var published, start, end, starts, ends, currency sql.NullString
	var amount, lev, interval sql.NullFloat64
	var symbols, firstSeen string
	if err := rows.Scan(&a.Exchange, &a.ID, &a.Title, &a.URL, &a.Feed, &a.Body, &a.BodyMissing, &published, &start, &end,
		&a.Class.Category, &a.Class.Rule, &symbols, &amount, &currency, &starts, &ends, &lev, &interval, &firstSeen); err != nil {
		return a, err
	}
	a.Class.RewardAmount, a.Class.RewardCurrency = amount.Float64, currency.String
	a.Class.MaxLeverage, a.Class.FundingIntervalHours = lev.Float64, interval.Float64
	if err := json.Unmarshal([]byte(symbols), &a.Class.Symbols); err != nil {
		return a, fmt.Errorf("announcement %s: symbols: %w", a.ID, err)
	}
	if len(a.Class.Symbols) == 0 {
		a.Class.Symbols = nil
	}
	var err error
	for _, t := range []struct {
		dst *time.Time
		src sql.NullString
	}{{&a.PublishedAt, published}, {&a.EventStart, start}, {&a.EventEnd, end},
		{&a.ObservedAt, sql.NullString{String: firstSeen, Valid: true}}} {
		if *t.dst, err = parseTime(t.src); err != nil {
			return a, err
		}
	}
	if a.Class.StartsAt, a.Class.StartsDateOnly, err = parseWhen(starts); err != nil {
		return a, err
	}
	a.Class.EndsAt, a.Class.EndsDateOnly, err = parseWhen(ends)
	return a, err
}

// whenValue stores an extracted time: a bare YYYY-MM-DD when the text
// gave only a day, else the usual ISO-8601 UTC.
func whenValue(t time.Time, dateOnly bool) any {
	if t.IsZero() {
		return nil
	}
	if dateOnly {
		return t.UTC().Format(time.DateOnly)
	}
	return timeValue(t)
}

func parseWhen(s sql.NullString) (time.Time, bool, error) {
	if s.Valid && len(s.String) == len(time.DateOnly) {
		t, err := time.Parse(time.DateOnly, s.String)
		if err != nil {
			return t, false, fmt.Errorf("stored date %q: %w", s.String, err)
		}
		return t, true, nil
	}
	t, err := parseTime(s)
	return t, false, err
}

// titleKey is a title reduced to its letters and digits, lower case, with
// the publication day: the same article reposted under a new id has the
// same key.
func titleKey(title string, published time.Time) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String() + "|" + published.UTC().Format(time.DateOnly)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// HasBody reports whether the article is stored under this title with its
// body, so the collector need not fetch it again; it implements
// collectors.KnownArticles. A failed lookup answers false: the article is
// then fetched again, which costs a request and loses nothing.
func (s *Store) HasBody(exchange, id, title string) bool {
	var n int
	err := s.r.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM announcement_rows
		WHERE exchange = ? AND id = ? AND title = ? AND body_missing = 0`, exchange, id, title).Scan(&n)
	return err == nil && n > 0
}

// AnnouncementFilter selects stored announcements; zero fields select all.
type AnnouncementFilter struct {
	Exchange   string
	Categories []string
	// EndsAfter keeps announcements ending after it, or with no end.
	EndsAfter time.Time
	// SeenBefore keeps announcements first seen before it.
	SeenBefore time.Time
}

// Announcements returns the stored announcements matching f, reposts left
// out, by exchange and first sighting.
func (s *Store) Announcements(ctx context.Context, f AnnouncementFilter) ([]collectors.Announcement, error) {
	q := `SELECT ` + announcementColumns + ` FROM announcement_rows WHERE duplicate_of IS NULL`
	var args []any
	if f.Exchange != "" {
		q += ` AND exchange = ?`
		args = append(args, f.Exchange)
	}
	if len(f.Categories) > 0 {
		q += ` AND category IN (?` + strings.Repeat(", ?", len(f.Categories)-1) + `)`
		for _, c := range f.Categories {
			args = append(args, c)
		}
	}
	if !f.EndsAfter.IsZero() {
		// A bare day compares as that day's start, which sorts before any
		// time on it: a campaign ending "2026-01-15" is kept all that day.
		q += ` AND (ends_at IS NULL OR ends_at >= ?)`
		args = append(args, f.EndsAfter.UTC().Format(time.DateOnly))
	}
	if !f.SeenBefore.IsZero() {
		q += ` AND first_seen_at < ?`
		args = append(args, bound(f.SeenBefore))
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY exchange, first_seen_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("announcements: %w", err)
	}
	var out []collectors.Announcement
	err = scanRows(rows, func() error {
		a, err := scanAnnouncement(rows)
		out = append(out, a)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("announcements: %w", err)
	}
	return out, nil
}

// Reclassify runs classify over every stored announcement (its stored
// title and body: nothing is fetched) and writes the classifications that
// changed, in one transaction. It returns how many changed.
func (s *Store) Reclassify(ctx context.Context, classify collectors.Classifier) (int, error) {
	if s.w == nil {
		return 0, fmt.Errorf("reclassify: %w", errReadOnly)
	}
	n, err := s.reclassify(ctx, classify)
	if err != nil {
		return 0, fmt.Errorf("reclassify: %w", err)
	}
	return n, nil
}

func (s *Store) reclassify(ctx context.Context, classify collectors.Classifier) (int, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+announcementColumns+` FROM announcement_rows`)
	if err != nil {
		return 0, err
	}
	var all []collectors.Announcement
	if err := scanRows(rows, func() error {
		a, err := scanAnnouncement(rows)
		all = append(all, a)
		return err
	}); err != nil {
		return 0, err
	}
	changed := 0
	for _, a := range all {
		before, err := json.Marshal(a.Class)
		if err != nil {
			return 0, err
		}
		classify(&a)
		after, err := json.Marshal(a.Class)
		if err != nil {
			return 0, err
		}
		if string(before) == string(after) {
			continue
		}
		symbols, err := json.Marshal(nonNil(a.Class.Symbols))
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE announcement_rows SET category = ?, rule = ?, symbols = ?,
			reward_pool_amount = ?, reward_pool_currency = ?, starts_at = ?, ends_at = ?, max_leverage = ?,
			funding_interval_hours = ? WHERE exchange = ? AND id = ?`,
			a.Class.Category, a.Class.Rule, string(symbols), optional(a.Class.RewardAmount), nullString(a.Class.RewardCurrency),
			whenValue(a.Class.StartsAt, a.Class.StartsDateOnly), whenValue(a.Class.EndsAt, a.Class.EndsDateOnly),
			optional(a.Class.MaxLeverage), optional(a.Class.FundingIntervalHours), a.Exchange, a.ID); err != nil {
			return 0, fmt.Errorf("announcement %s: %w", a.ID, err)
		}
		changed++
	}
	return changed, tx.Commit()
}
