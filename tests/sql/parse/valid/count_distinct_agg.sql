SELECT COUNT(DISTINCT ticker), COUNT(ALL ticker), COUNT(*) FROM "Reference";
