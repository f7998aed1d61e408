import { randomBytes } from "node:crypto";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { engine, freshPostgresDatabase } from "./database.ts";
import { runCli, startServer, tempDataDir, type RunningServer } from "./server.ts";

type EnvVars = Record<string, string | undefined>;

export function signingKey(kid: string): string {
  return `${kid}:${randomBytes(32).toString("base64url")}`;
}

/**
 * A Tessera instance of its own for one test file: a fresh data dir, or a
 * fresh PostgreSQL database when the suite runs against DATABASE_URL; an
 * admin token minted with the CLI (as automation gets its first one); and a
 * production server that can be restarted with other settings.
 */
export interface Instance {
  url: string;
  adminToken: string;
  env: EnvVars;
  server: RunningServer;
  /** Stops the server, optionally runs fn while it is down, and starts it again with extra env. */
  restart(extra?: EnvVars, whileDown?: () => Promise<void>, signal?: NodeJS.Signals): Promise<void>;
  cli(args: string[]): Promise<{ code: number | null; output: string }>;
  /** Every row of every table, as JSON text (the server is stopped and restarted around it in embedded mode). */
  dumpDatabase(): Promise<string>;
  /**
   * Runs SQL statements straight on the instance's database, in order, answering each one's rows (live on
   * PostgreSQL; with the server stopped around them on the embedded database). A failing statement answers its
   * Error instead of rows, and the rest still run.
   */
  sql(...statements: string[]): Promise<(Record<string, unknown>[] | Error)[]>;
  close(): Promise<void>;
}

/** The instance's embedded database, opened as the CLI opens it (lib/db/open.ts, shortLived): a few queries' worth. */
function openPglite(dataDir: string): PGlite {
  return new PGlite(path.join(dataDir, "pglite"), {
    startParams: [...PGlite.defaultStartParams, "-c", "shared_buffers=16MB"],
  });
}

export async function createInstance(extra: EnvVars = {}): Promise<Instance> {
  let env: EnvVars;
  let cleanup: () => Promise<void>;
  let databaseUrl: string | undefined;
  if (engine === "postgres") {
    const fresh = await freshPostgresDatabase("tessera_t");
    databaseUrl = fresh.url;
    env = {
      DATABASE_URL: databaseUrl,
      TESSERA_TOKEN_KEYS: signingKey("k1"),
      NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    };
    cleanup = fresh.drop;
  } else {
    const data = tempDataDir({ migrated: true });
    env = { TESSERA_DATA_DIR: data.dir, DATABASE_URL: "" };
    cleanup = async () => data.remove();
  }
  env = { ...env, ...extra };

  const cli = (args: string[]) => runCli(args, env);
  const minted = await cli([
    "tokens",
    "create",
    "--name",
    "test-admin",
    "--role",
    "admin",
    "--valid-until",
    new Date(Date.now() + 86_400_000).toISOString(),
  ]);
  if (minted.code !== 0) throw new Error(`could not mint the admin token:\n${minted.output}`);
  const adminToken = minted.output
    .trim()
    .split("\n")
    .find((line) => line.startsWith("eyJ"))!;

  let server = await startServer(env);
  const instance: Instance = {
    url: server.url,
    adminToken,
    env,
    server,
    async restart(more = {}, whileDown, signal = "SIGTERM") {
      await server.stop(signal);
      await whileDown?.();
      env = { ...env, ...more };
      instance.env = env;
      server = await startServer(env);
      instance.server = server;
      instance.url = server.url;
    },
    cli: (args) => runCli(args, env),
    async dumpDatabase() {
      const dump = async (query: (sql: string) => Promise<Record<string, unknown>[]>) => {
        const tables = await query(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
        );
        const out: Record<string, unknown> = {};
        for (const { table_name } of tables) out[String(table_name)] = await query(`SELECT * FROM "${table_name}"`);
        return JSON.stringify(out);
      };
      if (engine === "postgres") {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        try {
          return await dump(async (sql) => (await client.query(sql)).rows);
        } finally {
          await client.end();
        }
      }
      let text = "";
      await instance.restart({}, async () => {
        const db = openPglite(env.TESSERA_DATA_DIR!);
        try {
          text = await dump(async (sql) => (await db.query<Record<string, unknown>>(sql)).rows);
        } finally {
          await db.close();
        }
      });
      return text;
    },
    async sql(...statements) {
      const results: (Record<string, unknown>[] | Error)[] = [];
      const runAll = async (query: (sql: string) => Promise<Record<string, unknown>[]>) => {
        for (const statement of statements) results.push(await query(statement).catch((error: Error) => error));
      };
      if (engine === "postgres") {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        try {
          await runAll(async (sql) => (await client.query(sql)).rows);
        } finally {
          await client.end();
        }
      } else
        await instance.restart({}, async () => {
          const db = openPglite(env.TESSERA_DATA_DIR!);
          try {
            await runAll(async (sql) => (await db.query<Record<string, unknown>>(sql)).rows);
          } finally {
            await db.close();
          }
        });
      return results;
    },
    async close() {
      await server.stop();
      await cleanup();
    },
  };
  return instance;
}

export interface CallOptions {
  method?: string;
  token?: string;
  /** A JSON body (sent with Content-Type: application/json) or a raw string. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** One HTTP call; returns status, headers and the body as JSON when it is JSON, else text. */
export async function call(url: string, options: CallOptions = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization ??= `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await fetch(url, { method: options.method ?? "GET", headers, body });
  const text = await response.text();
  const isJson = response.headers.get("content-type")?.startsWith("application/json");
  return { status: response.status, headers: response.headers, body: isJson ? JSON.parse(text) : text };
}
