-- The token list is cached by every process (lib/tokens/list-tokens.ts). A
-- statement-level trigger bumps a counter on every change to
-- application_tokens, so one primary-key read tells any process whether its
-- copy is current, whichever process (or the CLI) made the change.
CREATE TABLE "change_counters" (
    "name" VARCHAR(64) NOT NULL,
    "version" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "change_counters_pkey" PRIMARY KEY ("name")
);

INSERT INTO "change_counters" ("name") VALUES ('application_tokens');

CREATE FUNCTION "tessera_count_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "change_counters" SET "version" = "version" + 1 WHERE "name" = TG_TABLE_NAME;
  RETURN NULL;
END
$$;

CREATE TRIGGER "application_tokens_count_change"
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "application_tokens"
FOR EACH STATEMENT EXECUTE FUNCTION "tessera_count_change"();

-- Keyset pagination of GET /api/tokens (?limit, cursor) walks this order.
CREATE INDEX "application_tokens_issue_date_name_idx" ON "application_tokens"("issue_date", "name");
