-- Web-log analytics: Apache access-log lines (common and combined format) parsed with
-- KDA's W3C_LOG_PARSE, requests counted per status code in 10-second tumbling windows, and
-- bursts of server errors (5xx) flagged. The input and the outputs are declared in the file
-- (the sluice extension of parser/README.md); everything between them is plain KDA SQL.

CREATE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'weblogs' FORMAT JSON (
    log VARCHAR(2048) PATH '$.log')
STARTING AT TRIM_HORIZON;

-- 1. Parse. W3C_LOG_PARSE returns a ROW: it is named in a subquery's select list and its
--    fields are read as t.<name>.COLUMNn. Each line is parsed both as a combined line
--    ('NCSA EXTENDED': host, ident, user, time, request, status, bytes, referer, agent)
--    and as a common one ('COMMON': the first seven); a line parses to NULL fields when it
--    does not match a format, so COALESCE takes the combined fields, else the common ones.
--    A line that matches neither (garbage) has no status and is dropped. The method is the
--    request line up to its first space.
CREATE OR REPLACE STREAM "REQUESTS" (
    host VARCHAR(64), method VARCHAR(8), request VARCHAR(512), status INTEGER, bytes BIGINT,
    agent VARCHAR(256));
CREATE OR REPLACE PUMP "PARSE_PUMP" AS INSERT INTO "REQUESTS"
SELECT STREAM host, SUBSTRING(request FROM 1 FOR POSITION(' ' IN request) - 1), request,
       status, bytes, agent
FROM (SELECT STREAM COALESCE(t.c.COLUMN1, t.m.COLUMN1) AS host,
             COALESCE(t.c.COLUMN5, t.m.COLUMN5) AS request,
             COALESCE(t.c.COLUMN6, t.m.COLUMN6) AS status,
             COALESCE(t.c.COLUMN7, t.m.COLUMN7) AS bytes,
             t.c.COLUMN9 AS agent
      FROM (SELECT STREAM W3C_LOG_PARSE(log, 'NCSA EXTENDED') AS c,
                          W3C_LOG_PARSE(log, 'COMMON') AS m
            FROM "SOURCE_SQL_STREAM_001") AS t) AS p
WHERE status IS NOT NULL;

-- 2. Requests and bytes per status code, per 10-second tumbling window (output ROWTIME =
--    the window's end).
CREATE OR REPLACE STREAM "STATUS_COUNTS" (status INTEGER, requests BIGINT, bytes BIGINT);
CREATE OR REPLACE PUMP "COUNT_PUMP" AS INSERT INTO "STATUS_COUNTS"
SELECT STREAM status, COUNT(*), SUM(bytes)
FROM "REQUESTS"
GROUP BY status, STEP("REQUESTS".ROWTIME BY INTERVAL '10' SECOND);

-- 3. 5xx bursts: a 10-second window in which at least 20 requests and 10% of all failed
--    with a server error.
CREATE OR REPLACE STREAM "ERROR_BURSTS" (
    window_end VARCHAR(24), errors_5xx BIGINT, requests BIGINT, error_pct DOUBLE);
CREATE OR REPLACE PUMP "BURST_PUMP" AS INSERT INTO "ERROR_BURSTS"
SELECT STREAM TIMESTAMP_TO_CHAR('yyyy-MM-dd HH:mm:ss', ROWTIME),
       SUM(CASE WHEN status >= 500 THEN 1 ELSE 0 END), COUNT(*),
       100.0E0 * SUM(CASE WHEN status >= 500 THEN 1 ELSE 0 END) / COUNT(*)
FROM "REQUESTS"
GROUP BY STEP("REQUESTS".ROWTIME BY INTERVAL '10' SECOND)
HAVING SUM(CASE WHEN status >= 500 THEN 1 ELSE 0 END) >= 20
   AND SUM(CASE WHEN status >= 500 THEN 1 ELSE 0 END) * 10 >= COUNT(*);

CREATE OUTPUT "counts" FOR "STATUS_COUNTS" TO STREAM 'weblog-status-counts' FORMAT JSON;
CREATE OUTPUT "bursts" FOR "ERROR_BURSTS"  TO STREAM 'weblog-5xx-bursts'    FORMAT JSON;
