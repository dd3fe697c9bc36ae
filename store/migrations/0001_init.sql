-- Internal tables are free to change between versions; the views at the end
-- are the analysts' contract and only ever gain columns. Times are ISO-8601
-- UTC text and unpublished numbers are NULL, so any SQL tool reads the views
-- without SQLite-specific functions.

-- One row per distinct content of one (exchange, kind). An unchanged pull
-- moves last_seen_at instead of copying rows. complete = 0 marks a snapshot
-- kept for inspection only (implausibly few items); views never show it.
CREATE TABLE snapshots (
    id            INTEGER PRIMARY KEY,
    exchange      TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    complete      INTEGER NOT NULL,
    items         INTEGER NOT NULL,
    content_hash  BLOB    NOT NULL,
    first_seen_at TEXT    NOT NULL,
    last_seen_at  TEXT    NOT NULL
);
-- Serves both "last complete snapshot of (exchange, kind)" and the views'
-- "newest complete snapshot of this kind per exchange".
CREATE INDEX snapshots_by_stream ON snapshots (kind, complete, exchange, id);

-- One row per collector attempt, failures included. Kept narrow: an
-- unchanged sweep writes nothing else.
CREATE TABLE run_log (
    id          INTEGER PRIMARY KEY,
    exchange    TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    started_at  TEXT    NOT NULL,
    finished_at TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    items       INTEGER NOT NULL,
    requests    INTEGER NOT NULL,
    error       TEXT,
    error_kind  TEXT,
    duration_ms INTEGER NOT NULL,
    snapshot_id INTEGER REFERENCES snapshots (id),
    diffed_at   TEXT
);
CREATE INDEX run_log_by_stream ON run_log (exchange, kind, started_at);
-- Only complete runs waiting for diff are indexed, so the index stays tiny.
CREATE INDEX run_log_pending ON run_log (id)
    WHERE diffed_at IS NULL AND status IN ('new', 'unchanged');

CREATE TABLE instrument_rows (
    snapshot_id            INTEGER NOT NULL REFERENCES snapshots (id),
    symbol                 TEXT    NOT NULL,
    unified                TEXT    NOT NULL,
    base                   TEXT    NOT NULL,
    quote                  TEXT    NOT NULL,
    settle                 TEXT    NOT NULL,
    multiplier             REAL,
    contract_type          TEXT    NOT NULL,
    native_type            TEXT    NOT NULL,
    margin                 TEXT    NOT NULL,
    status                 TEXT    NOT NULL,
    native_status          TEXT    NOT NULL,
    contract_size          REAL,
    tick_size              REAL,
    lot_size               REAL,
    min_qty                REAL,
    min_notional           REAL,
    max_leverage           REAL,
    funding_interval_hours REAL,
    funding_cap            REAL,
    funding_floor          REAL,
    listed_at              TEXT,
    delivery_at            TEXT,
    PRIMARY KEY (snapshot_id, symbol)
) WITHOUT ROWID;

CREATE TABLE funding_rows (
    snapshot_id     INTEGER NOT NULL REFERENCES snapshots (id),
    symbol          TEXT    NOT NULL,
    unified         TEXT    NOT NULL,
    rate            REAL    NOT NULL,
    interval_hours  REAL,
    cap             REAL,
    floor           REAL,
    next_funding_at TEXT,
    mark_price      REAL,
    observed_at     TEXT,
    PRIMARY KEY (snapshot_id, symbol)
) WITHOUT ROWID;
-- One symbol's history (a year of 5-minute funding) without a full scan.
CREATE INDEX funding_rows_by_symbol ON funding_rows (symbol, snapshot_id);

CREATE TABLE market_rows (
    snapshot_id       INTEGER NOT NULL REFERENCES snapshots (id),
    symbol            TEXT    NOT NULL,
    unified           TEXT    NOT NULL,
    last_price        REAL,
    volume_24h_usd    REAL    NOT NULL,
    open_interest_usd REAL,
    observed_at       TEXT,
    PRIMARY KEY (snapshot_id, symbol)
) WITHOUT ROWID;

CREATE TABLE change_events (
    id            TEXT PRIMARY KEY,
    detected_at   TEXT NOT NULL,
    exchange      TEXT NOT NULL,
    kind          TEXT NOT NULL,
    type          TEXT NOT NULL,
    symbol        TEXT NOT NULL,
    unified       TEXT NOT NULL,
    field         TEXT NOT NULL,
    old           TEXT NOT NULL,
    new           TEXT NOT NULL,
    severity      TEXT NOT NULL,
    snapshot_from INTEGER,
    snapshot_to   INTEGER,
    evidence      TEXT
) WITHOUT ROWID;
CREATE INDEX change_events_by_time ON change_events (detected_at);

-- Public views.

CREATE VIEW instruments_latest AS
SELECT s.exchange, i.symbol, i.unified, i.base, i.quote, i.settle, i.multiplier,
       i.contract_type, i.margin, i.status, i.native_status, i.native_type,
       i.contract_size, i.tick_size, i.lot_size, i.min_qty, i.min_notional, i.max_leverage,
       -- Binance and OKX publish the interval only with funding.
       CAST(COALESCE(i.funding_interval_hours, (
           SELECT f.interval_hours FROM funding_rows f
           WHERE f.symbol = i.symbol
             AND f.snapshot_id = (SELECT MAX(fs.id) FROM snapshots fs
                                  WHERE fs.exchange = s.exchange AND fs.kind = 'funding' AND fs.complete = 1)
       )) AS REAL) AS funding_interval_hours,
       i.funding_cap, i.funding_floor, i.listed_at, i.delivery_at,
       s.last_seen_at AS observed_at
FROM snapshots s
JOIN instrument_rows i ON i.snapshot_id = s.id
WHERE s.kind = 'instruments' AND s.complete = 1
  AND s.id = (SELECT MAX(s2.id) FROM snapshots s2
              WHERE s2.exchange = s.exchange AND s2.kind = 'instruments' AND s2.complete = 1);

CREATE VIEW instruments_history AS
SELECT s.id AS snapshot_id, s.exchange, i.symbol, i.unified, i.base, i.quote, i.settle, i.multiplier,
       i.contract_type, i.margin, i.status, i.native_status, i.native_type,
       i.contract_size, i.tick_size, i.lot_size, i.min_qty, i.min_notional, i.max_leverage,
       i.funding_interval_hours, i.funding_cap, i.funding_floor, i.listed_at, i.delivery_at,
       s.first_seen_at AS observed_at
FROM snapshots s
JOIN instrument_rows i ON i.snapshot_id = s.id
WHERE s.kind = 'instruments' AND s.complete = 1;

CREATE VIEW funding_history AS
SELECT s.exchange, f.symbol, f.unified, f.rate,
       CAST(f.rate * 24 / f.interval_hours * 365 AS REAL) AS annualized,
       f.interval_hours, f.cap, f.floor, f.next_funding_at, f.mark_price,
       CAST(COALESCE(f.observed_at, s.first_seen_at) AS TEXT) AS observed_at,
       s.id AS snapshot_id
FROM snapshots s
JOIN funding_rows f ON f.snapshot_id = s.id
WHERE s.kind = 'funding' AND s.complete = 1;

CREATE VIEW market_history AS
SELECT s.exchange, m.symbol, m.unified, m.last_price, m.volume_24h_usd, m.open_interest_usd,
       CAST(COALESCE(m.observed_at, s.first_seen_at) AS TEXT) AS observed_at,
       s.id AS snapshot_id
FROM snapshots s
JOIN market_rows m ON m.snapshot_id = s.id
WHERE s.kind = 'market' AND s.complete = 1;

CREATE VIEW runs AS
SELECT id, exchange, kind, started_at, finished_at, status,
       CAST(CASE WHEN status IN ('new', 'unchanged') THEN 1 ELSE 0 END AS INTEGER) AS complete,
       items, requests, error, error_kind, duration_ms, snapshot_id
FROM run_log;

CREATE VIEW changes AS
SELECT id, detected_at, exchange, kind, type, symbol, unified, field, old, new, severity,
       snapshot_from, snapshot_to, evidence
FROM change_events;
