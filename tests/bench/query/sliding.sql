-- Query benchmark (c): sliding 10-second average per ticker; one output row per input row,
-- over the rows of the same ticker with ROWTIME in [ROWTIME - 10 s, ROWTIME].
-- tests/bench/query/run.sh runs it as: sluice run sliding.sql --replay DUMP
CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'ticks' FORMAT JSON (
    ticker VARCHAR(8) PATH '$.ticker',
    price DOUBLE PATH '$.price',
    volume BIGINT PATH '$.volume',
    event_time TIMESTAMP PATH '$.event_time',
    sector VARCHAR(16) PATH '$.sector',
    change DOUBLE PATH '$.change')
STARTING AT TRIM_HORIZON;
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(8), avg_price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker,
    AVG(price) OVER (PARTITION BY ticker RANGE INTERVAL '10' SECOND PRECEDING) AS avg_price
FROM "SOURCE_SQL_STREAM_001";
CREATE OUTPUT "out" FOR "DESTINATION_SQL_STREAM" TO STDOUT FORMAT JSON;
