-- The webhook outbox. A delivery row is written in the same transaction as
-- its change event, so an event is never stored without its alerts (or the
-- other way round), whatever happens to the process.
--
-- seq is the insertion order: created_at alone cannot order the events of
-- one transaction, and the sender keeps each webhook's alerts in order.
-- queued_at is when the give-up clock started: created_at, or when an
-- operator asked for a failed delivery to be retried.
-- A pending row with lease_until in the future is being sent by some
-- process; a process killed mid-delivery leaves it to expire, and the row
-- is sent again. Nothing marks a row delivered but a 2xx answer.
CREATE TABLE alert_deliveries (
    seq             INTEGER PRIMARY KEY,
    event_id        TEXT    NOT NULL REFERENCES change_events (id),
    webhook         TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at TEXT,
    lease_until     TEXT,
    delivered_at    TEXT,
    created_at      TEXT    NOT NULL,
    queued_at       TEXT    NOT NULL,
    UNIQUE (event_id, webhook)
);
-- The head of each webhook's queue, and nothing else: delivered rows pile
-- up, pending ones are few.
CREATE INDEX alert_deliveries_queue ON alert_deliveries (webhook, created_at, seq)
    WHERE status = 'pending';
CREATE INDEX alert_deliveries_by_status ON alert_deliveries (status, webhook);

-- Public view: one row per webhook delivery.
CREATE VIEW alerts AS
SELECT d.event_id AS id, d.webhook, d.status, d.attempts, d.last_error,
       d.next_attempt_at, d.delivered_at, d.created_at,
       c.type, c.exchange, c.symbol
FROM alert_deliveries d
LEFT JOIN change_events c ON c.id = d.event_id;
