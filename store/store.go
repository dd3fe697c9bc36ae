// Package store keeps collector runs, snapshots and change events in SQLite
// and exposes them to analysts through a small set of views (see
// migrations/0001_init.sql), which are the public contract: internal tables
// may change, the views only gain columns.
//
// A Store holds two connection pools: one writer connection taking
// immediate transactions, so two processes writing never deadlock on a lock
// upgrade, and query-only readers that WAL lets run while the writer works.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options tune a writable Store.
type Options struct {
	// MinCountRatio: a complete pull with at most this fraction of the items of
	// the last complete snapshot is stored as incomplete (default 0.5).
	MinCountRatio float64
	// Now is the clock (default time.Now).
	Now func() time.Time
	// MustExist refuses to create a new database: only the commands that
	// collect may start one.
	MustExist bool
}

// Store is a rivalwatch database.
type Store struct {
	w        *sql.DB          // nil when read-only
	batches  *batchStatements // prepared on w; nil when read-only
	r        *sql.DB
	minRatio float64
	now      func() time.Time
}

const busyTimeoutMillis = 5000

// errReadOnly is returned by write methods of a store opened read-only.
var errReadOnly = errors.New("the database is open read-only")

// Open opens the database at path, creating it (but never its folder)
// unless opts.MustExist, and brings its schema up to date.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.MinCountRatio == 0 {
		opts.MinCountRatio = 0.5
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if fi, err := os.Stat(filepath.Dir(abs)); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("open database %s: the folder %s does not exist", path, filepath.Dir(abs))
	}
	if _, err := os.Stat(abs); opts.MustExist && errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no database at %s: run `rivalwatch collect` or `rivalwatch demo` first", path)
	}
	w, err := sql.Open("sqlite", dsn(abs, url.Values{
		"_txlock": {"immediate"},
		"_pragma": {
			"busy_timeout(" + strconv.Itoa(busyTimeoutMillis) + ")",
			"foreign_keys(1)",
			"journal_mode(WAL)",
			"synchronous(NORMAL)",
		},
	}))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// One writer connection: writes in this process queue in Go rather than
	// spinning on SQLite's busy handler.
	w.SetMaxOpenConns(1)
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	r, err := openReader(ctx, abs, false)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return &Store{w: w, batches: newBatchStatements(), r: r, minRatio: opts.MinCountRatio, now: opts.Now}, nil
}

// OpenReadOnly opens an existing database for queries only, as `rivalwatch
// sql` and the reports do: nothing it runs can change the file.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if _, err := os.Stat(abs); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no database at %s: run `rivalwatch collect` or `rivalwatch demo` first", path)
	}
	r, err := openReader(ctx, abs, true)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	var version int
	if err := r.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		r.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if version == 0 {
		r.Close()
		return nil, fmt.Errorf("open database %s: not a rivalwatch database (schema version 0)", path)
	}
	return &Store{r: r, now: time.Now}, nil
}

func openReader(ctx context.Context, abs string, readOnly bool) (*sql.DB, error) {
	q := url.Values{"_pragma": {
		"busy_timeout(" + strconv.Itoa(busyTimeoutMillis) + ")",
		"query_only(1)",
	}}
	if readOnly {
		q.Set("mode", "ro")
	}
	r, err := sql.Open("sqlite", dsn(abs, q))
	if err != nil {
		return nil, err
	}
	r.SetMaxOpenConns(4)
	if err := r.PingContext(ctx); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// dsn builds a file: URI so that SQLite itself sees mode=ro and paths with
// '?' or '#' in them survive.
func dsn(abs string, q url.Values) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
	return u.String()
}

// Close closes the database.
func (s *Store) Close() error {
	var errs []error
	if s.w != nil {
		errs = append(errs, s.batches.close(), s.w.Close())
	}
	errs = append(errs, s.r.Close())
	return errors.Join(errs...)
}

// migrate applies every embedded migration newer than the database's
// user_version, each in its own transaction together with the version bump,
// so a failed migration leaves the previous version intact.
func migrate(ctx context.Context, db *sql.DB) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	var current int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	latest := 0
	for _, name := range names {
		version, err := migrationVersion(name)
		if err != nil {
			return err
		}
		latest = version
		if version <= current {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		if err := applyMigration(ctx, db, version, string(body)); err != nil {
			return fmt.Errorf("migration %s: %w", filepath.Base(name), err)
		}
	}
	if current > latest {
		return fmt.Errorf("schema version %d is newer than this binary knows (%d): upgrade rivalwatch", current, latest)
	}
	return nil
}

func migrationVersion(name string) (int, error) {
	base := filepath.Base(name)
	num, _, ok := strings.Cut(base, "_")
	v, err := strconv.Atoi(num)
	if !ok || err != nil || v <= 0 {
		return 0, fmt.Errorf("migration %s: name must start with a positive number and '_'", base)
	}
	return v, nil
}

func applyMigration(ctx context.Context, db *sql.DB, version int, body string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "PRAGMA user_version = "+strconv.Itoa(version)); err != nil {
		return err
	}
	return tx.Commit()
}

// timeLayout is how every time is stored: fixed width, so text order is
// time order, and readable by any BI tool.
const timeLayout = "2006-01-02T15:04:05.000Z"

// timeValue is a time as stored: NULL for the zero time.
func timeValue(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeLayout)
}

func parseTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, s.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s.String, err)
	}
	return t, nil
}

// bound is a time as a range bound: the zero time sorts before every
// stored time instead of becoming NULL, which matches nothing.
func bound(t time.Time) string { return t.UTC().Format(timeLayout) }

// optional is a number as stored: NULL when zero, which means unpublished.
func optional(f float64) any {
	if f == 0 {
		return nil
	}
	return f
}
