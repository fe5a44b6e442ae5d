-- SUBSTRING(s SIMILAR p ESCAPE c): p is three SIMILAR TO patterns separated by c" and the
-- result is the part of s the middle one matches (the first part taking the shortest
-- prefix, the last the shortest suffix); NULL when s does not match; a pattern without
-- exactly two c" markers is a row error. '.' is literal in SIMILAR, % and _ are wildcards.
CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 's' FORMAT JSON (
    s VARCHAR(64) PATH '$.s', p VARCHAR(32) PATH '$.p');
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (fixed VARCHAR(64), from_column VARCHAR(64));
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM SUBSTRING(s SIMILAR '%#"o_b#"%' ESCAPE '#'), SUBSTRING(s SIMILAR p ESCAPE '\')
FROM "SOURCE_SQL_STREAM_001";
