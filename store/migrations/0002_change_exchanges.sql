-- A cross-exchange event (a funding divergence) names its exchanges as
-- data: exchanges is a JSON array of every exchange an event is about, and
-- exchange is the one exchange of a single-exchange event, '' otherwise.
-- Before this version a divergence stored "binance vs okx" in exchange.
ALTER TABLE change_events ADD COLUMN exchanges TEXT NOT NULL DEFAULT '[]';

UPDATE change_events
SET exchanges = '["' || replace(exchange, ' vs ', '","') || '"]',
    exchange = CASE WHEN instr(exchange, ' vs ') > 0 THEN '' ELSE exchange END;

DROP VIEW changes;
CREATE VIEW changes AS
SELECT id, detected_at, exchange, kind, type, symbol, unified, field, old, new, severity,
       snapshot_from, snapshot_to, evidence, exchanges
FROM change_events;
