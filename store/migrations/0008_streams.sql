-- Observations that come without a snapshot (live stream samples,
-- backfilled funding history) and the compacted form of old sweeps share
-- one narrow encoding: the exchange and symbol, the times and the funding
-- terms are each stored once in a dictionary table and referenced by a
-- small integer, so a year of hourly rows for every perpetual stays small.
-- The public views funding_history and market_history read both the
-- snapshot rows and these, with the same columns as before plus origin.

-- One (exchange, symbol, unified) whose samples are stored.
CREATE TABLE series (
    id       INTEGER PRIMARY KEY,
    exchange TEXT NOT NULL,
    symbol   TEXT NOT NULL,
    unified  TEXT NOT NULL,
    UNIQUE (exchange, symbol, unified)
);

-- Every time a sample refers to, as stored text; id is the Unix time in
-- milliseconds, so ids order like the times.
CREATE TABLE instants (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL
);

-- The few distinct (interval, cap, floor) combinations; 0 means
-- unpublished, shown as NULL by the views.
CREATE TABLE funding_terms (
    id             INTEGER PRIMARY KEY,
    interval_hours REAL NOT NULL,
    cap            REAL NOT NULL,
    floor          REAL NOT NULL,
    UNIQUE (interval_hours, cap, floor)
);

-- origin: 0 a sweep's row kept by compaction, 1 a stream sample, 2 a
-- backfilled settlement (observed_id is the funding time: re-running a
-- backfill never duplicates a row).
CREATE TABLE funding_samples (
    series_id       INTEGER NOT NULL,
    observed_id     INTEGER NOT NULL,
    origin          INTEGER NOT NULL,
    rate            REAL    NOT NULL,
    terms_id        INTEGER NOT NULL,
    next_funding_id INTEGER,
    mark_price      REAL,
    snapshot_id     INTEGER,
    PRIMARY KEY (series_id, observed_id, origin)
) WITHOUT ROWID;

-- A sweep's market row kept by compaction.
CREATE TABLE market_samples (
    series_id         INTEGER NOT NULL,
    observed_id       INTEGER NOT NULL,
    last_price        REAL,
    volume_24h_usd    REAL    NOT NULL,
    open_interest_usd REAL,
    snapshot_id       INTEGER,
    PRIMARY KEY (series_id, observed_id)
) WITHOUT ROWID;

-- A websocket stream outage.
CREATE TABLE stream_gap_rows (
    id         INTEGER PRIMARY KEY,
    exchange   TEXT NOT NULL,
    stream     TEXT NOT NULL,
    from_at    TEXT NOT NULL,
    to_at      TEXT NOT NULL,
    reason     TEXT NOT NULL,
    duration_s REAL NOT NULL,
    UNIQUE (exchange, stream, from_at)
);

-- What `rivalwatch backfill` has fetched, per exchange and symbol: an
-- interrupted backfill starts again after what it stored.
CREATE TABLE backfill_progress (
    exchange     TEXT NOT NULL,
    symbol       TEXT NOT NULL,
    covered_from TEXT NOT NULL,
    covered_to   TEXT NOT NULL,
    rows         INTEGER NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (exchange, symbol)
) WITHOUT ROWID;

DROP VIEW funding_history;
CREATE VIEW funding_history AS
SELECT exchange, symbol, unified, rate, CAST(annualized AS REAL) AS annualized,
       CAST(interval_hours AS REAL) AS interval_hours, CAST(cap AS REAL) AS cap, CAST(floor AS REAL) AS floor,
       next_funding_at, mark_price, observed_at, snapshot_id, CAST(origin AS TEXT) AS origin
FROM (
    SELECT s.exchange, f.symbol, f.unified, f.rate,
           f.rate * 24 / f.interval_hours * 365 AS annualized,
           f.interval_hours, f.cap, f.floor, f.next_funding_at, f.mark_price,
           CAST(COALESCE(f.observed_at, s.first_seen_at) AS TEXT) AS observed_at,
           s.id AS snapshot_id, 'sweep' AS origin
    -- CROSS JOIN keeps funding_rows the outer loop, so one symbol's rows
    -- come from funding_rows_by_symbol, not from a probe per snapshot.
    FROM funding_rows f
    CROSS JOIN snapshots s
    WHERE s.id = f.snapshot_id AND s.kind = 'funding' AND s.complete = 1
    UNION ALL
    SELECT se.exchange, se.symbol, se.unified, p.rate,
           p.rate * 24 / NULLIF(t.interval_hours, 0) * 365,
           NULLIF(t.interval_hours, 0), NULLIF(t.cap, 0), NULLIF(t.floor, 0),
           n.at, p.mark_price, o.at, p.snapshot_id,
           CASE p.origin WHEN 1 THEN 'stream' WHEN 2 THEN 'backfill' ELSE 'sweep' END
    FROM funding_samples p
    JOIN series se ON se.id = p.series_id
    JOIN instants o ON o.id = p.observed_id
    JOIN funding_terms t ON t.id = p.terms_id
    LEFT JOIN instants n ON n.id = p.next_funding_id
);

DROP VIEW market_history;
CREATE VIEW market_history AS
SELECT s.exchange, m.symbol, m.unified, m.last_price, m.volume_24h_usd, m.open_interest_usd,
       CAST(COALESCE(m.observed_at, s.first_seen_at) AS TEXT) AS observed_at,
       s.id AS snapshot_id
FROM snapshots s
JOIN market_rows m ON m.snapshot_id = s.id
WHERE s.kind = 'market' AND s.complete = 1
UNION ALL
SELECT se.exchange, se.symbol, se.unified, p.last_price, p.volume_24h_usd, p.open_interest_usd,
       o.at, p.snapshot_id
FROM market_samples p
JOIN series se ON se.id = p.series_id
JOIN instants o ON o.id = p.observed_id;

CREATE VIEW stream_gaps AS
SELECT exchange, stream, from_at AS "from", to_at AS "to", reason, duration_s
FROM stream_gap_rows;

-- How far compaction has gone per exchange and kind: every snapshot up to
-- through_id has been reduced.
CREATE TABLE compaction (
    exchange   TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    through_id INTEGER NOT NULL,
    PRIMARY KEY (exchange, kind)
) WITHOUT ROWID;
