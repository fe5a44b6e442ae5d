-- The datetime functions (KDA SQL reference, Date and Time Functions): EXTRACT from
-- timestamps, dates and intervals, TSDIFF, TO_TIMESTAMP / UNIX_TIMESTAMP, the
-- SimpleDateFormat conversions both ways (TIMESTAMP_TO_CHAR of NULL is the string "null"),
-- and CURRENT_ROW_TIMESTAMP / CURRENT_TIMESTAMP, which are wall-clock times (only compared
-- here). A string that does not match its format is a row error.
CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'events' FORMAT JSON (
    id INTEGER PATH '$.id', ts TIMESTAMP PATH '$.ts', ms BIGINT PATH '$.ms',
    txt VARCHAR(40) PATH '$.txt', fmt VARCHAR(40) PATH '$.fmt');
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    id INTEGER, yr BIGINT, mon BIGINT, dy BIGINT, hr BIGINT, sec DECIMAL(5,3), dmon BIGINT,
    ih BIGINT, diff BIGINT, tots TIMESTAMP, unx BIGINT, parsed TIMESTAMP, pdate DATE,
    ptime TIME, txt1 VARCHAR(60), txt2 VARCHAR(60), dtxt VARCHAR(20), clock BOOLEAN);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM id, EXTRACT(YEAR FROM ts), EXTRACT(MONTH FROM ts), EXTRACT(DAY FROM ts),
       EXTRACT(HOUR FROM ts), EXTRACT(SECOND FROM ts), EXTRACT(MONTH FROM CAST(ts AS DATE)),
       EXTRACT(HOUR FROM INTERVAL '3 04:05' DAY TO MINUTE),
       TSDIFF(ts, ROWTIME), TO_TIMESTAMP(ms), UNIX_TIMESTAMP(ts),
       CHAR_TO_TIMESTAMP(fmt, txt), CHAR_TO_DATE('yyyy-MM-dd', '2024-02-29'),
       CHAR_TO_TIME('HH:mm:ss', '23:59:58'),
       TIMESTAMP_TO_CHAR('yyyy-MM-dd''T''HH:mm:ss.SSS EEE MMM a', ts),
       TIMESTAMP_TO_CHAR('dd/MMM/yy hh:mm', TO_TIMESTAMP(ms)),
       DATE_TO_CHAR('yyyyMMdd', CAST(ts AS DATE)),
       CURRENT_ROW_TIMESTAMP >= CURRENT_TIMESTAMP AND LOCALTIMESTAMP = CURRENT_TIMESTAMP
FROM "SOURCE_SQL_STREAM_001";
CREATE OUTPUT "out" FOR "DESTINATION_SQL_STREAM" TO STDOUT FORMAT JSON;
