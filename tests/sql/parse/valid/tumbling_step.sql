-- Tumbling window with STEP over ROWTIME (KDA tumbling-window-concepts)
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ticker_symbol VARCHAR(4),
    min_price     REAL,
    max_price     REAL);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
  INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM ticker_symbol, MIN(price), MAX(price)
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY ticker_symbol,
             STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND);
