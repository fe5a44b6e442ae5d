SELECT STREAM "prix", é€ FROM s
WHERE ) ;
