/* Block comment
   spanning lines */
-- line comment
create or replace stream "MixedCase" ("quoted ""name""" varchar(8), plain integer) ; -- trailing
select stream "quoted ""name""", plain
  from "MixedCase"  // a slash comment as in one KDA reference example
  where "quoted ""name""" = 'it''s' and plain = 0;
SELECT STREAM U&'\0041\00e9' AS a, U&'!0041!!' UESCAPE '!' AS b, U&'\+01F600' AS c, X'0AFF' AS d, 'multi
line' AS e FROM "MixedCase";
