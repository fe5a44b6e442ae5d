CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'metrics' FORMAT JSON (
    host VARCHAR(8) PATH '$.host', cpu DOUBLE PATH '$.cpu', mem INTEGER PATH '$.mem')
STARTING AT TRIM_HORIZON;
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (host VARCHAR(8), score DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM host, ANOMALY_SCORE FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM host, cpu + 0, cpu + 1, cpu + 2, cpu + 3, cpu + 4, cpu + 5, cpu + 6, cpu + 7, cpu + 8, cpu + 9, cpu + 10, cpu + 11, cpu + 12, cpu + 13, cpu + 14, cpu + 15, cpu + 16, cpu + 17, cpu + 18, cpu + 19, cpu + 20, cpu + 21, cpu + 22, cpu + 23, cpu + 24, cpu + 25, cpu + 26, cpu + 27, cpu + 28, cpu + 29, cpu + 30 FROM "SOURCE_SQL_STREAM_001")));
CREATE OUTPUT "out" FOR "DESTINATION_SQL_STREAM" TO STDOUT FORMAT JSON;
