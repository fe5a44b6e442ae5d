-- KDA's stock ticker analytics, as one self-contained sluice application.
-- The input and the three outputs are declared in the file (the sluice extension of
-- parser/README.md); everything between them is plain KDA SQL.

CREATE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'ticks' FORMAT JSON (
    ticker_symbol VARCHAR(4)  PATH '$.TICKER_SYMBOL',
    sector        VARCHAR(16) PATH '$.SECTOR',
    change        DOUBLE      PATH '$.CHANGE',
    price         DOUBLE      PATH '$.PRICE')
STARTING AT TRIM_HORIZON;

-- 1. A tumbling 10-second window per ticker.
CREATE OR REPLACE STREAM "TICKER_WINDOWS" (
    ticker_symbol VARCHAR(4), trades BIGINT, avg_price DOUBLE, min_price DOUBLE, max_price DOUBLE);
CREATE OR REPLACE PUMP "WINDOWS_PUMP" AS INSERT INTO "TICKER_WINDOWS"
SELECT STREAM ticker_symbol, COUNT(*), AVG(price), MIN(price), MAX(price)
FROM "SOURCE_SQL_STREAM_001"
GROUP BY ticker_symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);

-- 2. A sliding 1-minute average per ticker: one row per tick.
CREATE OR REPLACE STREAM "TICKER_AVERAGES" (
    ticker_symbol VARCHAR(4), price DOUBLE, avg_price_1m DOUBLE);
CREATE OR REPLACE PUMP "AVERAGES_PUMP" AS INSERT INTO "TICKER_AVERAGES"
SELECT STREAM ticker_symbol, price, AVG(price) OVER W1
FROM "SOURCE_SQL_STREAM_001"
WINDOW W1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING);

-- 3. Big price changes: a move of more than 4% from the previous tick.
CREATE OR REPLACE STREAM "BIG_CHANGES" (
    ticker_symbol VARCHAR(4), sector VARCHAR(16), change DOUBLE, price DOUBLE);
CREATE OR REPLACE PUMP "CHANGES_PUMP" AS INSERT INTO "BIG_CHANGES"
SELECT STREAM ticker_symbol, sector, change, price
FROM "SOURCE_SQL_STREAM_001"
WHERE change > 4 OR change < -4;

CREATE OUTPUT "windows"  FOR "TICKER_WINDOWS"  TO STREAM 'ticker-windows'  FORMAT JSON;
CREATE OUTPUT "averages" FOR "TICKER_AVERAGES" TO STREAM 'ticker-averages' FORMAT JSON;
CREATE OUTPUT "changes"  FOR "BIG_CHANGES"     TO STREAM 'ticker-changes'  FORMAT JSON;
