-- Shared limits (issue 17): the counters of the bad-token and sign-in
-- throttles, shared by every instance on one PostgreSQL. This is the table
-- rate-limiter-flexible's PostgreSQL store (RateLimiterPostgres) would create
-- at run time; created here instead so that the app never needs CREATE
-- rights and the schema stays in the migrations. The store inserts without a
-- column list, so the columns keep its order: key, points, expire (epoch ms).
--
-- UNLOGGED: counters are not worth a WAL write per failed attempt, and a
-- PostgreSQL crash that empties the table only gives attackers a fresh
-- window (at most one more round of the limits), never access.
CREATE UNLOGGED TABLE "rate_limits" (
    "key" TEXT NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("key")
);
