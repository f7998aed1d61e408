-- Issue 19: expiry notifications by webhook (Standard Webhooks).
--
-- webhook_endpoints: where to send, which events, and the signing secret
-- (whsec_...), stored encrypted (AES-256-GCM under a key derived from
-- NEXTAUTH_SECRET, lib/webhooks/secret.ts): never in plain text.
--
-- webhook_messages is the outbox: a message is stored first (in the same
-- transaction as the change it reports, or by the expiry scan) and sent after,
-- by any instance's dispatcher, which claims due rows with FOR UPDATE SKIP
-- LOCKED and a lease. UNIQUE (endpoint_id, dedupe_key) is what makes an event
-- exist once per endpoint: "token.expiring:<hash>:7" can be inserted by any
-- number of scans on any number of instances, and exists once. The payload is
-- kept as text, the exact bytes every retry sends and signs.
--
-- webhook_attempts is the delivery log: one row per attempt, with the status
-- code or the error.
CREATE TABLE "webhook_endpoints" (
    "id" VARCHAR(40) NOT NULL,
    "url" VARCHAR(2000) NOT NULL,
    "description" VARCHAR(200) NOT NULL DEFAULT '',
    "events" TEXT[] NOT NULL,
    "expiring_days" INTEGER[] NOT NULL DEFAULT '{7,1}',
    "secret_enc" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "disabled_reason" VARCHAR(300),
    "failing_since" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" VARCHAR(300) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "webhook_messages" (
    "id" VARCHAR(40) NOT NULL,
    "endpoint_id" VARCHAR(40) NOT NULL,
    "type" VARCHAR(64) NOT NULL,
    "dedupe_key" VARCHAR(200) NOT NULL,
    "payload" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" VARCHAR(16) NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    "last_attempt_at" TIMESTAMPTZ(3),
    "last_status" INTEGER,
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_messages_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "webhook_messages_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "webhook_messages_endpoint_id_dedupe_key_key" ON "webhook_messages"("endpoint_id", "dedupe_key");
CREATE INDEX "webhook_messages_status_next_attempt_at_idx" ON "webhook_messages"("status", "next_attempt_at");
CREATE INDEX "webhook_messages_created_at_idx" ON "webhook_messages"("created_at");

CREATE TABLE "webhook_attempts" (
    "id" BIGSERIAL NOT NULL,
    "message_id" VARCHAR(40) NOT NULL,
    "endpoint_id" VARCHAR(40) NOT NULL,
    "attempt" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status_code" INTEGER,
    "error" VARCHAR(300),
    "duration_ms" INTEGER NOT NULL,

    CONSTRAINT "webhook_attempts_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "webhook_attempts_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "webhook_messages"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "webhook_attempts_endpoint_id_id_idx" ON "webhook_attempts"("endpoint_id", "id");
CREATE INDEX "webhook_attempts_message_id_idx" ON "webhook_attempts"("message_id");
