-- Trace documents are 10–50 KB each: lz4 compresses them several times faster than the default pglz, which was the
-- largest cost of an import on the server. Builds without lz4 (PGlite) keep pglz.
DO $$
BEGIN
  ALTER TABLE "traces" ALTER COLUMN "raw" SET COMPRESSION lz4;
  ALTER TABLE "traces" ALTER COLUMN "normalized" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  NULL;
END $$;
