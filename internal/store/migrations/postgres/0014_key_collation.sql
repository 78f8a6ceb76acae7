-- The register's key columns compare byte by byte (collation "C"): NIKs,
-- KK numbers and region codes are ASCII digits and dots, and name keys are
-- folded lower-case ASCII, so their order is the same, while comparisons
-- skip the locale's rules. That halves the time of building and searching
-- their indexes (a bulk import builds them from scratch) and lets
-- `LIKE 'prefix%'` use them. Only the indexes are rebuilt; the rows stay.
ALTER TABLE family
    ALTER COLUMN kk TYPE TEXT COLLATE "C",
    ALTER COLUMN village_code TYPE TEXT COLLATE "C";
ALTER TABLE person
    ALTER COLUMN nik TYPE TEXT COLLATE "C",
    ALTER COLUMN village_code TYPE TEXT COLLATE "C",
    ALTER COLUMN name_key TYPE TEXT COLLATE "C";
