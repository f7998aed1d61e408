-- CreateEnum
CREATE TYPE "Role" AS ENUM ('admin', 'editor', 'viewer', 'connectionManager', 'monitoringViewer');

-- CreateTable
CREATE TABLE "application_tokens" (
    "hash" CHAR(64) NOT NULL,
    "name" VARCHAR(30) NOT NULL,
    "role" "Role" NOT NULL,
    "kid" VARCHAR(64) NOT NULL,
    "jti" UUID NOT NULL,
    "requested_by" TEXT NOT NULL,
    "issue_date" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "valid_until" TIMESTAMPTZ(3) NOT NULL,
    "last_used" TIMESTAMPTZ(3),
    "last_used_from" TEXT,

    CONSTRAINT "application_tokens_pkey" PRIMARY KEY ("hash")
);

-- CreateIndex
CREATE UNIQUE INDEX "application_tokens_name_key" ON "application_tokens"("name");

-- CreateIndex
CREATE UNIQUE INDEX "application_tokens_jti_key" ON "application_tokens"("jti");

-- CreateIndex
CREATE INDEX "application_tokens_valid_until_idx" ON "application_tokens"("valid_until");
