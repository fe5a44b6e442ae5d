;;
-- nothing but comments and empty statements
;
SELECT STREAM 1 FROM "S";;
