-- A rate-limit hold: an exchange asked us (429, 418, Bybit 403 "too
-- frequent") to send nothing until a moment. Kept in the database so the
-- next process honours it too: from cron, three collects in a row ignoring
-- a one-hour Retry-After are the road to an IP ban.
CREATE TABLE holds (
    exchange   TEXT PRIMARY KEY,
    until      TEXT    NOT NULL,
    error_kind TEXT    NOT NULL,
    status     INTEGER NOT NULL,
    reason     TEXT    NOT NULL,
    set_at     TEXT    NOT NULL
) WITHOUT ROWID;
