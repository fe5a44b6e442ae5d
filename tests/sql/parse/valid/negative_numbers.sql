SELECT STREAM -1, -1.5, -1e-3, 1 - -1, ABS(-0.0), price * -1 FROM "S" WHERE change < -0.25;
