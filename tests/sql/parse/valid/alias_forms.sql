SELECT STREAM a AS x, b y, c "Z", d AS "w w" FROM "S" t1 JOIN "R" AS t2 ON t1.k = t2.k;
SELECT STREAM x FROM (SELECT STREAM a FROM "S") AS sub (x);
