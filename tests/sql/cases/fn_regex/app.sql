-- REGEX_REPLACE (Java replaceAll from a start position, all matches or the n-th, $n group
-- references, \ escapes, empty matches) and SUBSTRING(s FROM regex) (the first match, NULL
-- without one). A bad startPosition, a regex that does not compile and a replacement that
-- names a missing group are row errors.
CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 's' FORMAT JSON (
    s VARCHAR(64) PATH '$.s', re VARCHAR(32) PATH '$.re', rep VARCHAR(16) PATH '$.rep',
    st INTEGER PATH '$.st', occ INTEGER PATH '$.occ');
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (replaced VARCHAR(64), sub1 VARCHAR(64), sub2 VARCHAR(64));
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM REGEX_REPLACE(s, re, rep, st, occ), SUBSTRING(s FROM 'L[A-Z]*'), SUBSTRING(s FROM re)
FROM "SOURCE_SQL_STREAM_001";
