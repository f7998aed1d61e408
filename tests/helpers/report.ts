import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after } from "node:test";
import { engine } from "./database.ts";

/**
 * The security suite's results table: every case asserts its exact expected
 * outcome and records what it observed; when the file's tests are done the
 * rows go to test-results/security/, from which scripts/security-report.mjs
 * writes docs/security.md.
 */
export interface Row {
  theme: string;
  name: string;
  expected: string;
  observed: string;
  pass: boolean;
}

export function securityReport(file: string) {
  const rows: Row[] = [];
  after(() => {
    const dir = path.resolve("test-results/security");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${engine}-${path.basename(file, ".test.ts")}.json`), JSON.stringify(rows, null, 1));
  });
  return {
    /** Asserts observed equals expected (compared as text) and records the row either way. */
    check(theme: string, name: string, expected: string, observed: string) {
      rows.push({ theme, name, expected, observed, pass: expected === observed });
      assert.equal(observed, expected, `${theme}: ${name}`);
    },
    /** Records a row whose assertion the caller made (for measured values such as counts and bounds). */
    note(theme: string, name: string, expected: string, observed: string, pass: boolean) {
      rows.push({ theme, name, expected, observed, pass });
      assert.ok(pass, `${theme}: ${name}: expected ${expected}, observed ${observed}`);
    },
  };
}

/** "403 Token not found or was revoked" style summary of a response. */
export function outcome(response: { status: number; body: unknown }): string {
  const body = typeof response.body === "string" ? response.body : JSON.stringify(response.body);
  return `${response.status} ${body.length > 80 ? `${body.slice(0, 77)}...` : body}`.trim();
}
