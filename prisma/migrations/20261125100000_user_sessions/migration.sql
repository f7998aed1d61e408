-- Sessions that can end: each console sign-in gets a row, and its cookie
-- carries the row's id. A request with a session cookie is served only while
-- the row exists and its generation is the user's, so signing out (the row
-- is deleted), "sign out everywhere", a password change and a role change to
-- none (the user's generation goes up) end a session on every instance at
-- once; a sign-in that checked the old password while the password changed
-- carries the old generation and is dead on arrival. Rows expire with the
-- session's absolute lifetime (TESSERA_SESSION_MAX_AGE_HOURS after sign-in).
CREATE TABLE "user_sessions" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "address" VARCHAR(64),
    "generation" INTEGER NOT NULL,

    CONSTRAINT "user_sessions_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "user_sessions_user_id_idx" ON "user_sessions"("user_id");
CREATE INDEX "user_sessions_expires_at_idx" ON "user_sessions"("expires_at");

ALTER TABLE "user_sessions" ADD CONSTRAINT "user_sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A user whose role is taken away (tessera users set-role NAME none) keeps
-- the account but may not sign in.
ALTER TABLE "users" ALTER COLUMN "role" DROP NOT NULL;

ALTER TABLE "users" ADD COLUMN "session_generation" INTEGER NOT NULL DEFAULT 0;
