CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    time TIMESTAMP, date DATE, timestamp TIMESTAMP, count INTEGER, window VARCHAR(8), stream VARCHAR(8),
    year INTEGER, month INTEGER, day INTEGER, hour INTEGER, minute INTEGER, second INTEGER,
    description VARCHAR(8), first INTEGER, last INTEGER, path VARCHAR(8), data VARCHAR(8),
    input VARCHAR(8), output VARCHAR(8), format VARCHAR(8), period INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM time, date, timestamp, count, window, stream, year, month, day, hour, minute, second,
       description, first, last, path, data, input, output, format, 1
FROM "SOURCE_SQL_STREAM_001";
