CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'stock' FORMAT JSON (
    ticker_symbol VARCHAR(4) PATH '$.ticker_symbol', sector VARCHAR(16) PATH '$.sector',
    change REAL PATH '$.change', price REAL PATH '$.price')
STARTING AT TRIM_HORIZON;
CREATE OR REPLACE STREAM DESTINATION_SQL_STREAM (
  "TICKER_SYMBOL" VARCHAR(4),
  "MOST_FREQUENT_VALUES" BIGINT
);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM *
        FROM TABLE (TOP_K_ITEMS_TUMBLING(
            CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"),
            'TICKER_SYMBOL',     -- name of column in single quotes
            3,                   -- number of the most frequently occurring values
            60                   -- tumbling window size in seconds
            )
        );
CREATE OUTPUT "out" FOR "DESTINATION_SQL_STREAM" TO STDOUT FORMAT JSON;
