import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { pgliteRunner, pgRunner, type SqlRunner } from "../../lib/db/sql-runner.ts";

/** "postgres" when the suite runs against DATABASE_URL (npm run test:pg), else "pglite". */
export const engine: "postgres" | "pglite" = process.env.DATABASE_URL ? "postgres" : "pglite";

export interface ScratchDatabase {
  runner: SqlRunner;
  /** Another connection to the same database (for concurrency tests); PostgreSQL only. */
  connect(): Promise<{ runner: SqlRunner; close(): Promise<void> }>;
  close(): Promise<void>;
}

/**
 * An empty database of the engine under test: an in-memory PGlite, or a
 * fresh schema in DATABASE_URL's database (dropped on close), so tests never
 * see each other's tables.
 */
let template: Promise<PGlite> | undefined;

export async function scratchDatabase(): Promise<ScratchDatabase> {
  if (engine === "pglite") {
    // A copy of one empty database made once per process: clone() takes about 0.6 s, a new PGlite's initdb 1.6-2.8 s.
    template ??= PGlite.create();
    const db = (await (await template).clone()) as PGlite;
    return {
      runner: pgliteRunner(db),
      connect: () => Promise.reject(new Error("PGlite has a single connection")),
      close: () => db.close(),
    };
  }
  const schema = `scratch_${randomBytes(6).toString("hex")}`;
  const open = async () => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`SET search_path TO ${schema}`);
    return client;
  };
  const main = await open();
  const others: pg.Client[] = [];
  return {
    runner: pgRunner(main),
    async connect() {
      const client = await open();
      others.push(client);
      return { runner: pgRunner(client), close: () => client.end() };
    },
    async close() {
      await Promise.all(others.map((client) => client.end().catch(() => {})));
      await main.query(`DROP SCHEMA ${schema} CASCADE`);
      await main.end();
    },
  };
}

/** Runs fn on a scratch database and closes it afterwards, whatever fn did. */
export async function withScratchDatabase<T>(fn: (db: ScratchDatabase) => Promise<T>): Promise<T> {
  const db = await scratchDatabase();
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** A new, empty database on DATABASE_URL's server (for a server of its own); drop() removes it. */
export async function freshPostgresDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  // Kept: a caller may point DATABASE_URL at the new database afterwards (the bench does).
  const server = process.env.DATABASE_URL!;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
