-- Fee schedules and symbol fees (kind fees): one row per tier of a rival's
-- published schedule (symbol '') and per symbol of our observer account's
-- authenticated rates. Rates are fractions, negative for a rebate; zero is
-- a real rate (a zero-fee pair), so rates are never NULL. A threshold of 0
-- means the tier has none.
CREATE TABLE fee_rows (
    snapshot_id        INTEGER NOT NULL REFERENCES snapshots (id),
    product            TEXT    NOT NULL,
    tier               TEXT    NOT NULL,
    symbol             TEXT    NOT NULL,
    source             TEXT    NOT NULL,
    maker_rate         REAL    NOT NULL,
    taker_rate         REAL    NOT NULL,
    min_30d_volume_usd REAL    NOT NULL,
    min_balance_usd    REAL    NOT NULL,
    observed_at        TEXT,
    PRIMARY KEY (snapshot_id, product, tier, symbol, source)
) WITHOUT ROWID;

-- Public views.

CREATE VIEW fees_latest AS
SELECT s.exchange, f.product, f.tier, f.symbol, f.maker_rate, f.taker_rate,
       f.min_30d_volume_usd, f.min_balance_usd, f.source,
       s.last_seen_at AS observed_at
FROM snapshots s
JOIN fee_rows f ON f.snapshot_id = s.id
WHERE s.kind = 'fees' AND s.complete = 1
  AND s.id = (SELECT MAX(s2.id) FROM snapshots s2
              WHERE s2.exchange = s.exchange AND s2.kind = 'fees' AND s2.complete = 1);

CREATE VIEW fees_history AS
SELECT s.exchange, f.product, f.tier, f.symbol, f.maker_rate, f.taker_rate,
       f.min_30d_volume_usd, f.min_balance_usd, f.source,
       CAST(COALESCE(f.observed_at, s.first_seen_at) AS TEXT) AS observed_at,
       s.id AS snapshot_id
FROM snapshots s
JOIN fee_rows f ON f.snapshot_id = s.id
WHERE s.kind = 'fees' AND s.complete = 1;
