-- Query benchmark (b): tumbling 10-second window per ticker; one row per ticker and window,
-- emitted when the window closes, with ROWTIME = the window's end.
-- tests/bench/query/run.sh runs it as: sluice run tumbling.sql --replay DUMP
CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'ticks' FORMAT JSON (
    ticker VARCHAR(8) PATH '$.ticker',
    price DOUBLE PATH '$.price',
    volume BIGINT PATH '$.volume',
    event_time TIMESTAMP PATH '$.event_time',
    sector VARCHAR(16) PATH '$.sector',
    change DOUBLE PATH '$.change')
STARTING AT TRIM_HORIZON;
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ticker VARCHAR(8), n BIGINT, avg_price DOUBLE, min_price DOUBLE, max_price DOUBLE,
    sum_volume BIGINT);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker, COUNT(*), AVG(price), MIN(price), MAX(price), SUM(volume)
FROM "SOURCE_SQL_STREAM_001"
GROUP BY ticker, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);
CREATE OUTPUT "out" FOR "DESTINATION_SQL_STREAM" TO STDOUT FORMAT JSON;
