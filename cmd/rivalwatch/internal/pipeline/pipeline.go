// Package pipeline runs rivalwatch's steps between the collectors and the
// reports: it stores each pull as it ends, turns stored runs into change
// events, and gathers a day's digest input. It works against a narrow Store
// interface, so one-shot commands and a long-running daemon share it.
package pipeline

import (
	"context"
	"time"

	"github.com/rivalwatch/rivalwatch/collectors"
	"github.com/rivalwatch/rivalwatch/diff"
	"github.com/rivalwatch/rivalwatch/store"
)

// Store is what the pipeline needs of the database; *store.Store
// implements it.
type Store interface {
	Save(ctx context.Context, snap collectors.Snapshot) (store.Saved, error)
	Holds(ctx context.Context, now time.Time) (map[string]store.Hold, error)
	Changes(ctx context.Context, from, to time.Time) ([]diff.Change, error)
	PendingRuns(ctx context.Context) ([]store.Run, error)
	CompleteRuns(ctx context.Context, exchange string, kind collectors.Kind, until time.Time, n int) ([]store.RunRef, error)
	Records(ctx context.Context, snapshotID int64) (collectors.Records, error)
	MarketSeries(ctx context.Context, exchange string, from, to time.Time, every time.Duration) ([]collectors.MarketStat, error)
	SaveRunChanges(ctx context.Context, runID int64, changes []diff.Change, route store.Route) (int, error)
	Announcements(ctx context.Context, f store.AnnouncementFilter) ([]collectors.Announcement, error)
}

// Reader is what building a digest needs; a read-only *store.Store
// implements it.
type Reader interface {
	Changes(ctx context.Context, from, to time.Time) ([]diff.Change, error)
	CompleteRuns(ctx context.Context, exchange string, kind collectors.Kind, until time.Time, n int) ([]store.RunRef, error)
	Records(ctx context.Context, snapshotID int64) (collectors.Records, error)
	FreshnessAt(ctx context.Context, until time.Time) ([]store.Freshness, error)
	AlertHealth(ctx context.Context) ([]store.AlertHealth, error)
	Announcements(ctx context.Context, f store.AnnouncementFilter) ([]collectors.Announcement, error)
}
