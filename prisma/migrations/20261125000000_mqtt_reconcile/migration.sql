-- MQTT you can trust: broker passwords Tessera can re-derive (so the reconcile
-- can restore a broker client deleted by hand), and one row per running
-- Tessera process that talks to the broker (its responder client, its
-- heartbeat, and the reconcile state of the one that leads).
ALTER TABLE "mqtt_credentials" ADD COLUMN "password_kid" VARCHAR(64);
ALTER TABLE "mqtt_credentials" ADD COLUMN "password_nonce" VARCHAR(64);
ALTER TABLE "devices" ADD COLUMN "password_kid" VARCHAR(64);
ALTER TABLE "devices" ADD COLUMN "password_nonce" VARCHAR(64);

CREATE TABLE "mqtt_instances" (
    "id" VARCHAR(64) NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leader" BOOLEAN NOT NULL DEFAULT false,
    "reconciled_at" TIMESTAMPTZ(3),
    "reconcile_error" TEXT,

    CONSTRAINT "mqtt_instances_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "mqtt_credentials_disabled_at_expires_at_idx" ON "mqtt_credentials"("disabled_at", "expires_at");
