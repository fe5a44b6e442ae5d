SELECT STREAM a /* never closed
FROM s;
