-- One symbol's year of funding must read as one run of adjacent rows. A
-- sweep's funding rows are keyed by snapshot, so one symbol's rows sit one
-- per page among every other symbol's; compaction now also moves every
-- superseded sweep, not only the days past the raw window, into
-- funding_samples, which is keyed by symbol and time (a "folded"
-- snapshot). Only the newest complete snapshot of each exchange, and any
-- not diffed yet, stay in funding_rows.
--
-- funding_samples keeps the observation time as text in its key, so the
-- view reads it without a lookup per row, and a sweep's snapshot in its
-- key as sweep_id (0 for stream and backfill samples), so two sweeps that
-- saw the same row at the same time both keep it.

DROP VIEW funding_history;

CREATE TABLE funding_points (
    series_id       INTEGER NOT NULL,
    observed_at     TEXT    NOT NULL,
    origin          INTEGER NOT NULL,
    sweep_id        INTEGER NOT NULL,
    rate            REAL    NOT NULL,
    terms_id        INTEGER NOT NULL,
    next_funding_id INTEGER,
    mark_price      REAL,
    snapshot_id     INTEGER,
    PRIMARY KEY (series_id, observed_at, origin, sweep_id)
) WITHOUT ROWID;

INSERT INTO funding_points (series_id, observed_at, origin, sweep_id, rate, terms_id, next_funding_id, mark_price, snapshot_id)
SELECT p.series_id, o.at, p.origin, COALESCE(p.snapshot_id, 0), p.rate, p.terms_id, p.next_funding_id, p.mark_price, p.snapshot_id
FROM funding_samples p
JOIN instants o ON o.id = p.observed_id;

DROP TABLE funding_samples;
ALTER TABLE funding_points RENAME TO funding_samples;

-- A snapshot whose rows were moved into funding_samples, with the range
-- of its rows' observation times: Records finds them again by series and
-- time without an index on snapshot_id.
CREATE TABLE folded_snapshots (
    snapshot_id    INTEGER PRIMARY KEY REFERENCES snapshots (id),
    first_observed TEXT NOT NULL,
    last_observed  TEXT NOT NULL
);

-- Every column has the same affinity in both arms (the casts), so SQLite
-- flattens the view into the analyst's query: it merges the two arms in
-- time order and computes only the columns asked for. funding_terms is
-- joined with LEFT JOIN (every sample has its terms) so that a query
-- reading no term column skips the lookup.
CREATE VIEW funding_history AS
SELECT exchange, symbol, unified, rate, CAST(annualized AS REAL) AS annualized, interval_hours, cap, floor,
       next_funding_at, mark_price, observed_at, snapshot_id, origin
FROM (
    SELECT s.exchange, f.symbol, f.unified, f.rate,
           CAST(f.rate * 24 / f.interval_hours * 365 AS REAL) AS annualized,
           f.interval_hours, f.cap, f.floor, f.next_funding_at, f.mark_price,
           CAST(COALESCE(f.observed_at, s.first_seen_at) AS TEXT) AS observed_at,
           s.id AS snapshot_id, CAST('sweep' AS TEXT) AS origin
    -- CROSS JOIN keeps funding_rows the outer loop, so one symbol's rows
    -- come from funding_rows_by_symbol, not from a probe per snapshot.
    FROM funding_rows f
    CROSS JOIN snapshots s
    WHERE s.id = f.snapshot_id AND s.kind = 'funding' AND s.complete = 1
    UNION ALL
    SELECT se.exchange, se.symbol, se.unified, p.rate,
           CAST(p.rate * 24 / NULLIF(t.interval_hours, 0) * 365 AS REAL),
           CAST(NULLIF(t.interval_hours, 0) AS REAL), CAST(NULLIF(t.cap, 0) AS REAL), CAST(NULLIF(t.floor, 0) AS REAL),
           n.at, p.mark_price, p.observed_at, p.snapshot_id,
           CAST(CASE p.origin WHEN 1 THEN 'stream' WHEN 2 THEN 'backfill' ELSE 'sweep' END AS TEXT)
    FROM series se
    JOIN funding_samples p ON p.series_id = se.id
    LEFT JOIN funding_terms t ON t.id = p.terms_id
    LEFT JOIN instants n ON n.id = p.next_funding_id
);
