CREATE TABLE yield_rows (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    product     TEXT    NOT NULL,
    product_id  TEXT    NOT NULL,
    coin        TEXT    NOT NULL,
    apr         REAL    NOT NULL,
    term        TEXT    NOT NULL,
    observed_at TEXT,
    PRIMARY KEY (snapshot_id, product, product_id, coin, term)
) WITHOUT ROWID;

-- Public view: one row per yield product per complete snapshot; apr is a
-- yearly fraction (0.05 = 5 %/yr), term "flexible" or a lock-up like "30d".
CREATE VIEW yield_history AS
SELECT s.exchange, y.product, y.coin, y.apr, y.term,
       CAST(COALESCE(y.observed_at, s.first_seen_at) AS TEXT) AS observed_at,
       y.product_id, s.id AS snapshot_id
FROM snapshots s
JOIN yield_rows y ON y.snapshot_id = s.id
WHERE s.kind = 'yield' AND s.complete = 1;
