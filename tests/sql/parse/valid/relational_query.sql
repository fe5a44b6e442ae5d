SELECT ticker, sector FROM "CompanyName" WHERE sector <> 'ENERGY' ORDER BY ticker DESC, sector;
