CREATE STREAM "error_stream" (a INTEGER);
