-- Query benchmark (a): filter and projection; about half of the events pass.
-- tests/bench/query/run.sh runs it as: sluice run filter.sql --replay DUMP
CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'ticks' FORMAT JSON (
    ticker VARCHAR(8) PATH '$.ticker',
    price DOUBLE PATH '$.price',
    volume BIGINT PATH '$.volume',
    event_time TIMESTAMP PATH '$.event_time',
    sector VARCHAR(16) PATH '$.sector',
    change DOUBLE PATH '$.change')
STARTING AT TRIM_HORIZON;
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(8), notional DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker, price * volume AS notional
FROM "SOURCE_SQL_STREAM_001"
WHERE price > 100;
CREATE OUTPUT "out" FOR "DESTINATION_SQL_STREAM" TO STDOUT FORMAT JSON;
