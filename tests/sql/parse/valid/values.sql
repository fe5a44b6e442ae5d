VALUES (1, 'a'), (2, 'b'), (3, 'c');
SELECT * FROM (VALUES (1, 2), (3, 4)) AS t (x, y) WHERE x > 1;
SELECT x FROM (VALUES (1)) AS v (x) UNION VALUES (5);
