-- Announcements are an append-only feed: each pull stores only the
-- articles that are new or changed, so one row per article, not per
-- snapshot. snapshot_id is the pull that last wrote the row; first_seen_at
-- is when we first saw the article. title_key (normalized title and
-- publication day) finds reposts of an article under a new id; a repost
-- keeps its row (so it is not fetched again) with duplicate_of set, and
-- the view leaves it out.
CREATE TABLE announcement_rows (
    exchange               TEXT    NOT NULL,
    id                     TEXT    NOT NULL,
    snapshot_id            INTEGER NOT NULL REFERENCES snapshots (id),
    title                  TEXT    NOT NULL,
    url                    TEXT    NOT NULL,
    feed                   TEXT    NOT NULL,
    body                   TEXT    NOT NULL,
    body_missing           INTEGER NOT NULL,
    published_at           TEXT,
    event_start            TEXT,
    event_end              TEXT,
    category               TEXT    NOT NULL,
    rule                   TEXT    NOT NULL,
    symbols                TEXT    NOT NULL, -- JSON array
    reward_pool_amount     REAL,
    reward_pool_currency   TEXT,
    starts_at              TEXT,             -- ISO-8601 UTC, or YYYY-MM-DD when the text gave a day
    ends_at                TEXT,
    max_leverage           REAL,
    funding_interval_hours REAL,
    title_key              TEXT    NOT NULL,
    duplicate_of           TEXT,
    first_seen_at          TEXT    NOT NULL,
    PRIMARY KEY (exchange, id)
) WITHOUT ROWID;
CREATE INDEX announcement_rows_by_snapshot ON announcement_rows (snapshot_id);
CREATE INDEX announcement_rows_by_title ON announcement_rows (exchange, title_key);
CREATE INDEX announcement_rows_by_end ON announcement_rows (category, ends_at);

-- When the rival published what an event is about, and how long we took
-- to see it (seconds from source_at to detected_at), computed when the
-- event is stored so the view needs no date arithmetic.
ALTER TABLE change_events ADD COLUMN source_at TEXT;
ALTER TABLE change_events ADD COLUMN detection_lag_s REAL;

DROP VIEW changes;
CREATE VIEW changes AS
SELECT id, detected_at, exchange, kind, type, symbol, unified, field, old, new, severity,
       snapshot_from, snapshot_to, evidence, exchanges, source_at, detection_lag_s
FROM change_events;

-- Public view: one row per announcement, reposts left out. reward_pool_usd
-- is the pool when its currency is USD or a USD stablecoin, else the pool
-- at the newest complete market price of the coin's USDT perpetual.
CREATE VIEW announcements AS
SELECT a.exchange, a.id, a.title, a.url, a.category, a.symbols,
       a.reward_pool_amount, a.reward_pool_currency,
       CAST(CASE
           WHEN a.reward_pool_amount IS NULL THEN NULL
           WHEN upper(a.reward_pool_currency) IN ('USD', 'USDT', 'USDC', 'FDUSD', 'DAI', 'USDE', 'PYUSD', 'TUSD', 'BUSD', 'USD1')
               THEN a.reward_pool_amount
           ELSE a.reward_pool_amount * (
               SELECT m.last_price FROM market_rows m JOIN snapshots s ON s.id = m.snapshot_id
               WHERE s.kind = 'market' AND s.complete = 1 AND m.last_price IS NOT NULL
                 AND m.unified = upper(a.reward_pool_currency) || '/USDT:USDT'
               ORDER BY s.id DESC LIMIT 1)
       END AS REAL) AS reward_pool_usd,
       a.starts_at, a.ends_at, a.max_leverage, a.funding_interval_hours,
       a.published_at, a.first_seen_at AS observed_at,
       a.body_missing, a.feed
FROM announcement_rows a
WHERE a.duplicate_of IS NULL;
