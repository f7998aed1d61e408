// Engine-independent: how scripts/tessera.mjs runs the CLI (an esbuild bundle under node_modules/.cache/tessera); no database.
// It runs alone, after the other files (scripts/run-tests.mjs, ALONE): it damages the bundle that every CLI command
// of the run shares, and a command running beside it could import the damaged file.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";

const root = path.resolve(import.meta.dirname, "..");
const cache = path.join(root, "node_modules/.cache/tessera");

function tessera(cwd = root) {
  const result = spawnSync(process.execPath, [path.join(root, "scripts/tessera.mjs"), "help"], {
    cwd,
    encoding: "utf8",
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The bundles written since `since` (epoch ms). */
function writtenSince(since: number): string[] {
  return readdirSync(cache).filter(
    (name) => name.endsWith(".mjs") && statSync(path.join(cache, name)).mtimeMs >= since,
  );
}

test("a bundle left empty or cut short (a crash while it was written) is written again, not run", () => {
  const since = Date.now() - 1;
  assert.equal(tessera().code, 0);
  const [bundle] = writtenSince(since);
  assert.ok(bundle, "the command wrote its bundle");
  const file = path.join(cache, bundle);
  const whole = readFileSync(file, "utf8");
  for (const damaged of ["", whole.slice(0, Math.floor(whole.length / 2))]) {
    writeFileSync(file, damaged);
    const run = tessera();
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /^Usage: tessera <command>/m, `the command ran (bundle of ${damaged.length} bytes left)`);
    assert.equal(readFileSync(file, "utf8"), whole);
  }
});

test("the bundle is the same from any working directory: one file, not one per directory", () => {
  const since = Date.now() - 1;
  for (const cwd of [root, os.tmpdir(), path.join(root, "tests")]) assert.equal(tessera(cwd).code, 0);
  assert.equal(writtenSince(since).length, 1, writtenSince(since).join(", "));
});
