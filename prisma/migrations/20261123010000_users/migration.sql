-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "username" VARCHAR(200) NOT NULL,
    "email" VARCHAR(320),
    "name" VARCHAR(200),
    "role" "Role" NOT NULL,
    "password_hash" TEXT,
    "provider" VARCHAR(20) NOT NULL DEFAULT 'local',
    "subject" VARCHAR(255),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_login_at" TIMESTAMPTZ(3),

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_username_key" ON "users"("username");

-- CreateIndex
CREATE UNIQUE INDEX "users_provider_subject_key" ON "users"("provider", "subject");
