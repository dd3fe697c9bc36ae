-- Detection lag: when the source says a change happened (a listing's
-- onboard time, an announcement's publish time) beside when we saw it
-- (detected_at). NULL when the source says nothing plausible.
ALTER TABLE change_events ADD COLUMN source_at TEXT;

DROP VIEW changes;
CREATE VIEW changes AS
SELECT id, detected_at, exchange, kind, type, symbol, unified, field, old, new, severity,
       snapshot_from, snapshot_to, evidence, exchanges, source_at,
       CAST(CASE WHEN source_at IS NOT NULL
                 THEN ROUND(unixepoch(detected_at, 'subsec') - unixepoch(source_at, 'subsec'), 3) END AS REAL)
           AS detection_lag_s
FROM change_events;
