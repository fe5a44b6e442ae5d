-- HOTSPOTS on KDA's documented example: points on a 10 x 10 field, a fifth of them in a 1 x 1
-- square that moves (gen.py). HOTSPOTS(cursor, windowSize 1000, scanRadius 0.2,
-- minimumNumberOfPointsInAHotspot 17) describes the dense regions of the last 1000 points
-- after every record; the report keeps every 250th record's HOTSPOTS_RESULT (JSON: density,
-- minValues, maxValues per hotspot, densest first) and writes it to a file. seq is passed
-- through as text so that only x and y are the point.

CREATE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'points' FORMAT JSON (
    x   DOUBLE  PATH '$.x',
    y   DOUBLE  PATH '$.y',
    seq INTEGER PATH '$.seq')
STARTING AT TRIM_HORIZON;

CREATE OR REPLACE STREAM "HOTSPOT_REPORT" (seq INTEGER, hotspots VARCHAR(10000));
CREATE OR REPLACE PUMP "HOTSPOT_PUMP" AS INSERT INTO "HOTSPOT_REPORT"
SELECT STREAM CAST(h.tag AS INTEGER), h.HOTSPOTS_RESULT
FROM TABLE(HOTSPOTS(
    CURSOR(SELECT STREAM x, y, CAST(seq AS VARCHAR(8)) AS tag FROM "SOURCE_SQL_STREAM_001"),
    1000, 0.2, 17)) AS h
WHERE CAST(h.tag AS INTEGER) - CAST(h.tag AS INTEGER) / 250 * 250 = 249;

CREATE OUTPUT "report" FOR "HOTSPOT_REPORT" TO FILE 'hotspots.jsonl' FORMAT JSON;
