CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'stock' FORMAT JSON (
    ticker_symbol VARCHAR(4) PATH '$.ticker_symbol', sector VARCHAR(16) PATH '$.sector',
    change REAL PATH '$.change', price REAL PATH '$.price')
STARTING AT TRIM_HORIZON;
CREATE OR REPLACE STREAM "TOTALS" (ticker_symbol VARCHAR(4), trades BIGINT, avg_price REAL);
CREATE OR REPLACE PUMP "TOTALS_PUMP" AS INSERT INTO "TOTALS"
SELECT STREAM ticker_symbol, COUNT(*), AVG(price) FROM "SOURCE_SQL_STREAM_001"
GROUP BY ticker_symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND);
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    "TICKER_SYMBOL" VARCHAR(4), "TRADES" BIGINT, "AVG_PRICE" REAL, "TRADE_RANK" INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM "TICKER_SYMBOL", "TRADES", "AVG_PRICE", "groupRank"
    FROM TABLE(GROUP_RANK(
        CURSOR(SELECT STREAM * FROM "TOTALS"),
        'TRADES',       -- rankByColumnName
        'groupRank',    -- rankOutColumnName
        'desc',         -- sortOrder: the most trades rank 1
        'asc',          -- outputOrder: rank 1 first
        0,              -- maxIdle (ms)
        4));            -- outputMax
CREATE OUTPUT "out" FOR "DESTINATION_SQL_STREAM" TO STDOUT FORMAT JSON;
