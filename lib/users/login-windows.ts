import "server-only";
import { database } from "../db.ts";
import { NO_LIMIT, postgresWindow } from "../limits/postgres-window.ts";
import {
  MAX_FAILURES,
  MAX_FAILURES_PER_ADDRESS,
  memoryLoginWindows,
  WINDOW_SECONDS,
  type LoginWindows,
} from "./login-throttle.ts";

/** The sign-in throttle's counters: in PostgreSQL when the database is shared, in memory in embedded mode. */
export function loginWindows(): LoginWindows {
  if (database().engine !== "postgres") return memoryLoginWindows;
  return {
    pair: postgresWindow("login-pair", MAX_FAILURES, WINDOW_SECONDS),
    address: postgresWindow("login-address", MAX_FAILURES_PER_ADDRESS, WINDOW_SECONDS),
    user: postgresWindow("login-user", NO_LIMIT, WINDOW_SECONDS),
  };
}
