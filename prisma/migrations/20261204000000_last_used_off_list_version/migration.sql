-- lastUsed no longer changes the token list's version (issue 17). Every
-- lastUsed write used to fire the statement trigger of
-- 20261124000000_token_list_version: with many tokens in use the cached list
-- was rebuilt on almost every request, and on PostgreSQL every such write
-- queued on the one change_counters row (its row lock is held to commit).
--
-- Now the version counts changes to what a token IS (the columns listed
-- below), and a use is found another way: a row trigger stamps each change of
-- last_used with the writing transaction's id (xid8 as bigint). A process
-- that caches the list remembers the oldest transaction still running when it
-- last read (pg_snapshot_xmin of that statement's snapshot); every lastUsed
-- committed since then carries an id at least that large, so one indexed
-- range read finds them all and the cached list is patched, not rebuilt
-- (lib/tokens/list-tokens.ts).
--
-- A migration that adds a column to application_tokens must add it to the
-- UPDATE OF list below; tests/unit/list-version.test.ts fails until it does.
ALTER TABLE "application_tokens" ADD COLUMN "last_used_xid" BIGINT;

CREATE INDEX "application_tokens_last_used_xid_idx" ON "application_tokens"("last_used_xid");

-- The uses committed since a horizon, by that index. A function so that the
-- index is used whatever the planner's statistics say: PGlite never runs
-- autovacuum, and without statistics a range condition is estimated to match
-- a third of the table, which would read all of it on every list request.
CREATE FUNCTION "tessera_token_uses_since"("horizon" BIGINT)
RETURNS TABLE ("hash" CHAR(64), "last_used" TIMESTAMPTZ) LANGUAGE sql STABLE
SET enable_seqscan = off
AS $$
  SELECT t."hash", t."last_used" FROM "application_tokens" t WHERE t."last_used_xid" >= "horizon"
$$;

CREATE FUNCTION "tessera_stamp_last_used"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."last_used" IS DISTINCT FROM OLD."last_used" OR NEW."last_used_from" IS DISTINCT FROM OLD."last_used_from" THEN
    NEW."last_used_xid" := pg_current_xact_id()::text::bigint;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "application_tokens_stamp_last_used"
BEFORE UPDATE OF "last_used", "last_used_from" ON "application_tokens"
FOR EACH ROW EXECUTE FUNCTION "tessera_stamp_last_used"();

DROP TRIGGER "application_tokens_count_change" ON "application_tokens";

CREATE TRIGGER "application_tokens_count_change"
AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF
  "hash", "name", "name_skeleton", "role", "kid", "jti", "requested_by", "issue_date", "valid_until", "device_id"
ON "application_tokens"
FOR EACH STATEMENT EXECUTE FUNCTION "tessera_count_change"();
