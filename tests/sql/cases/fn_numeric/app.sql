-- The numeric functions (KDA SQL reference, Numeric Functions): ABS keeps its argument's
-- type, MOD takes the sign of the dividend and the type of the divisor, POWER/EXP/LN/LOG10
-- are DOUBLE; NULL in gives NULL; LN of a non-positive number, MOD by zero and a POWER
-- that is not a real number are row errors sent to error_stream.
CREATE OR REPLACE INPUT "SOURCE_SQL_STREAM_001" FROM STREAM 'nums' FORMAT JSON (
    id INTEGER PATH '$.id', i INTEGER PATH '$.i', j SMALLINT PATH '$.j', d DECIMAL(8,2) PATH '$.d',
    x DOUBLE PATH '$.x');
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    id INTEGER, ai INTEGER, ad DECIMAL(8,2), ax DOUBLE, m SMALLINT, pw DOUBLE, ex DOUBLE,
    ln_x DOUBLE, lg DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM id, ABS(i), ABS(d), ABS(x), MOD(i, j), POWER(x, 0.5), EXP(d), LN(x), LOG10(ABS(i))
FROM "SOURCE_SQL_STREAM_001";
CREATE OUTPUT "out" FOR "DESTINATION_SQL_STREAM" TO STDOUT FORMAT JSON;
