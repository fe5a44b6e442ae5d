SELECT STREAM 'a' || 'b' || CAST(1 + 2 * 3 AS VARCHAR(4)), -(1 + 2), +3, - -4, 10 - (3 - 2), 2 * (3 / 4) FROM "S";
