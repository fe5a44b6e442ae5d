CREATE OR REPLACE STREAM "ALERT_STREAM" (ticker VARCHAR(4), change_pct DOUBLE, message VARCHAR(128));
CREATE OR REPLACE PUMP "ALERTS" AS INSERT INTO "ALERT_STREAM"
SELECT STREAM ticker_symbol, (price - LAG(price, 1) OVER w) / LAG(price, 1) OVER w * 100,
       'price moved for ' || ticker_symbol || ' at ' || TIMESTAMP_TO_CHAR('HH:mm:ss', ROWTIME)
FROM "SOURCE_SQL_STREAM_001"
WINDOW w AS (PARTITION BY ticker_symbol ROWS 1 PRECEDING);
