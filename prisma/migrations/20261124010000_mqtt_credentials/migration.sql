-- Short-lived MQTT credentials (issue: MQTT credentials on Mosquitto's dynamic security plugin).
CREATE TABLE "mqtt_credentials" (
    "id" UUID NOT NULL,
    "user_email" VARCHAR(320) NOT NULL,
    "username" VARCHAR(200) NOT NULL,
    "password_hash" CHAR(64) NOT NULL,
    "requested_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "refreshed_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "disabled_at" TIMESTAMPTZ(3),

    CONSTRAINT "mqtt_credentials_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "mqtt_credentials_user_email_key" ON "mqtt_credentials"("user_email");
CREATE UNIQUE INDEX "mqtt_credentials_username_key" ON "mqtt_credentials"("username");
CREATE INDEX "mqtt_credentials_expires_at_idx" ON "mqtt_credentials"("expires_at");
