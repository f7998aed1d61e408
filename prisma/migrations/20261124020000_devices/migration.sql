-- Devices that request tokens over MQTT, and the link from a device token to its device.
CREATE TABLE "devices" (
    "id" VARCHAR(64) NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'viewer',
    "requested_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_token_at" TIMESTAMPTZ(3),

    CONSTRAINT "devices_pkey" PRIMARY KEY ("id")
);

ALTER TABLE "application_tokens" ADD COLUMN "device_id" VARCHAR(64);

CREATE INDEX "application_tokens_device_id_idx" ON "application_tokens"("device_id");

ALTER TABLE "application_tokens" ADD CONSTRAINT "application_tokens_device_id_fkey" FOREIGN KEY ("device_id") REFERENCES "devices"("id") ON DELETE CASCADE ON UPDATE CASCADE;
