CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'stock' FORMAT JSON (
    ticker_symbol VARCHAR(4) PATH '$.ticker_symbol', sector VARCHAR(16) PATH '$.sector',
    change REAL PATH '$.change', price REAL PATH '$.price')
STARTING AT TRIM_HORIZON;
CREATE OR REPLACE STREAM DESTINATION_SQL_STREAM (
             ITEM VARCHAR(1024),
             ITEM_COUNT DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
   INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM *
      FROM TABLE(TOP_K_ITEMS_TUMBLING(
                       CURSOR(SELECT STREAM * FROM    "SOURCE_SQL_STREAM_001"),
                       'TICKER_SYMBOL', -- name of column in single quote.
                       10,          -- number of top items.
                       60           -- tumbling window size in seconds
                       )
                  );
CREATE OUTPUT "out" FOR "DESTINATION_SQL_STREAM" TO STDOUT FORMAT JSON;
