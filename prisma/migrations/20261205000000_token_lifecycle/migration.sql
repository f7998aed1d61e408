-- Tokens that rotate with an overlap, are disabled without being deleted, and
-- are checked by other services (issue 18).
--
-- A rotated-out token keeps its row, with the hash of the token that replaced
-- it (replaced_by) and the end of its grace (revoke_at): it is accepted until
-- then, and the sweep deletes it after. Both share a family (family_id: the
-- jti of the family's first token), so reusing a rotated-out token to rotate
-- again revokes every token of the family. A disabled token (disabled_at) is
-- refused like a revoked one until it is enabled again.
ALTER TABLE "application_tokens"
  ADD COLUMN "disabled_at" TIMESTAMPTZ(3),
  ADD COLUMN "revoke_at" TIMESTAMPTZ(3),
  ADD COLUMN "replaced_by" CHAR(64),
  ADD COLUMN "family_id" UUID;

-- A name (and its look-alike skeleton) is unique among the tokens that have
-- not been replaced: a rotated-out token and its successor share the name.
DROP INDEX "application_tokens_name_key";
CREATE UNIQUE INDEX "application_tokens_name_key" ON "application_tokens"("name") WHERE "replaced_by" IS NULL;
DROP INDEX "application_tokens_name_skeleton_key";
CREATE UNIQUE INDEX "application_tokens_name_skeleton_key" ON "application_tokens"("name_skeleton") WHERE "replaced_by" IS NULL;

CREATE INDEX "application_tokens_family_id_idx" ON "application_tokens"("family_id");
CREATE INDEX "application_tokens_revoke_at_idx" ON "application_tokens"("revoke_at");

-- The role of a service that checks tokens presented to it (POST /api/tokens/introspect) and nothing else.
ALTER TYPE "Role" ADD VALUE 'introspector';

-- The new columns are part of what a token is: they change the list's version.
DROP TRIGGER "application_tokens_count_change" ON "application_tokens";

CREATE TRIGGER "application_tokens_count_change"
AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF
  "hash", "name", "name_skeleton", "role", "kid", "jti", "requested_by", "issue_date", "valid_until", "device_id",
  "disabled_at", "revoke_at", "replaced_by", "family_id"
ON "application_tokens"
FOR EACH STATEMENT EXECUTE FUNCTION "tessera_count_change"();
