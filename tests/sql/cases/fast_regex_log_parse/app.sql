-- FAST_REGEX_LOG_PARSE: KDA's Fast Regex syntax, matched lazily group by group without
-- backtracking; the whole line must be accounted for, else every column is NULL. The
-- first pump runs KDA's first example and Further Example C; the second parses Apache
-- access lines (a request path with a space, a '-' size, a line that does not match, a
-- NULL line).
CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'lines' FORMAT JSON (
    kind VARCHAR(8) PATH '$.kind', line VARCHAR(256) PATH '$.line');
CREATE OR REPLACE STREAM "DOC_OUT" (c1 VARCHAR(32), c2 VARCHAR(32), c3 VARCHAR(32), c4 VARCHAR(32));
CREATE OR REPLACE PUMP "P_DOC" AS INSERT INTO "DOC_OUT"
SELECT STREAM t.a.COLUMN1, t.a.COLUMN2, t.c.COLUMN1, t.c.COLUMN2
FROM (SELECT STREAM FAST_REGEX_LOG_PARSE(line, '(.*)_(._.*)_.*') AS a,
             FAST_REGEX_LOG_PARSE(line, '(.*)_+(<Alpha>.*)') AS c
      FROM "SOURCE_SQL_STREAM_001" WHERE kind = 'doc') AS t;
CREATE OR REPLACE STREAM "WEB_OUT" (host VARCHAR(16), ts VARCHAR(32), method VARCHAR(8),
    path VARCHAR(64), status INTEGER, bytes VARCHAR(8));
CREATE OR REPLACE PUMP "P_WEB" AS INSERT INTO "WEB_OUT"
SELECT STREAM t.r.COLUMN1, t.r.COLUMN2, t.r.COLUMN3, t.r.COLUMN4, CAST(t.r.COLUMN5 AS INTEGER), t.r.COLUMN6
FROM (SELECT STREAM FAST_REGEX_LOG_PARSE(line,
        '(@) - - \[(@)\] \"(<Upper>+) (@) HTTP/1\.<0-1>\" (<Digit>{3}) (<Digit>+|-)') AS r
      FROM "SOURCE_SQL_STREAM_001" WHERE kind = 'web') AS t;
