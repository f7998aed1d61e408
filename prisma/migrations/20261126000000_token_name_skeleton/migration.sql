-- Look-alike token names: the Unicode TR39 confusable skeleton of each name
-- (lib/tokens/name-skeleton.ts), unique, so that of two names that render
-- alike only one can exist, whichever process creates them and however
-- concurrently. SQL cannot compute a skeleton, so existing rows start with
-- NULL and are filled in by the application after every migration run
-- (tessera start, tessera migrate and every CLI command). NULLs do not
-- collide: if two existing names already look alike, the older keeps the
-- skeleton, the newer stays NULL (with a warning in the log), and neither
-- this migration nor the backfill fails; no new name may look like either.
ALTER TABLE "application_tokens" ADD COLUMN "name_skeleton" TEXT;

CREATE UNIQUE INDEX "application_tokens_name_skeleton_key" ON "application_tokens"("name_skeleton");
