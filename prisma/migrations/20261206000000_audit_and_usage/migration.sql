-- Issue 19: the audit log and per-token usage.
--
-- audit_events is append-only for the application: a trigger refuses every
-- UPDATE, DELETE and TRUNCATE, except the retention's DELETE of rows older
-- than TESSERA_AUDIT_RETENTION_DAYS, which sets tessera.audit_prune in its own
-- transaction (lib/audit/retention.ts). Rows are written by the same
-- transaction as the change they record (lib/audit/record.ts), so a change
-- without its row cannot commit. "count" > 1 only for aggregated refusals
-- (one row for the refused uses of one token from one address in a minute).
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "action" VARCHAR(64) NOT NULL,
    "actor" VARCHAR(300) NOT NULL,
    "via" VARCHAR(16) NOT NULL,
    "address" VARCHAR(64),
    "token_hash" CHAR(64),
    "target" VARCHAR(320),
    "details" JSONB,
    "count" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "audit_events_at_idx" ON "audit_events"("at");
CREATE INDEX "audit_events_token_hash_id_idx" ON "audit_events"("token_hash", "id");
CREATE INDEX "audit_events_actor_id_idx" ON "audit_events"("actor", "id");
CREATE INDEX "audit_events_action_id_idx" ON "audit_events"("action", "id");

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('tessera.audit_prune', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- Requests per token per hour, and refused attempts: one row per token and
-- hour, added to by each instance's periodic flush (lib/usage/usage-counter.ts),
-- never a row per request. No foreign key: a revoked token's usage stays
-- until the retention removes it.
CREATE TABLE "token_usage" (
    "token_hash" CHAR(64) NOT NULL,
    "hour" TIMESTAMPTZ(0) NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "refused" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "token_usage_pkey" PRIMARY KEY ("token_hash", "hour")
);
CREATE INDEX "token_usage_hour_idx" ON "token_usage"("hour");

-- The addresses a token was last used from, the 5 most recent per token.
CREATE TABLE "token_addresses" (
    "token_hash" CHAR(64) NOT NULL,
    "address" VARCHAR(64) NOT NULL,
    "last_seen" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "token_addresses_pkey" PRIMARY KEY ("token_hash", "address")
);
