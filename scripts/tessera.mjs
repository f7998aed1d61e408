#!/usr/bin/env node
// Tessera's command line: `npm run tessera -- <command>`, or `tessera <command>` as a bin.
//
// The CLI is TypeScript (scripts/cli, lib). It runs as one ES module that esbuild bundles from the sources at
// every start, rather than module by module through tsx's loader hooks: the hooks cost 1.5 s of CPU per command
// (measured with --cpu-prof on `tessera tokens list`: 2.8 s through tsx, 1.3 s bundled, of which 1.1 s was a
// bcrypt hash made at import, since removed), and every `tessera start`, CLI command and worker paid it. The
// bundle is made fresh each time (about 0.1 s; esbuild is what tsx itself compiles with), so it can never be
// older than the code. It is written, named by its content, under node_modules/.cache/tessera, where packages
// resolve as they do from the sources. Where that cannot be written (a read-only install), tsx runs the sources.
// It carries an inline source map, so a stack trace names lib/... and scripts/cli/... lines, not the bundle's.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const root = path.resolve(import.meta.dirname, "..");
const entry = path.join(root, "scripts/cli/main.ts");

async function bundle() {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    absWorkingDir: root, // the same bytes from any working directory (esbuild's comments name paths relative to it)
    sourcemap: "inline", // stack traces name the sources (process.setSourceMapsEnabled below)
    outfile: path.join(root, "node_modules/.cache/tessera/cli.mjs"), // not written (write: false): where the map's paths start
    write: false,
    logLevel: "silent",
    plugins: [
      {
        name: "tessera-sources",
        setup(build) {
          // "server-only" guards the Next.js bundle; a CLI process is by definition not a browser bundle.
          build.onResolve({ filter: /^server-only$/ }, () => ({ path: "server-only", namespace: "empty" }));
          build.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "", loader: "js" }));
          // Each source keeps its own import.meta (a file's location, a require made from it), not the bundle's.
          build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
            const url = pathToFileURL(args.path).href;
            const contents = readFileSync(args.path, "utf8")
              .replaceAll("import.meta.dirname", JSON.stringify(path.dirname(args.path)))
              .replaceAll("import.meta.filename", JSON.stringify(args.path))
              .replaceAll("import.meta.url", JSON.stringify(url));
            return { contents, loader: "ts" };
          });
        },
      },
    ],
  });
  await esbuild.stop(); // its service process would otherwise live as long as the command (`start`, `worker`)
  const code = result.outputFiles[0].text;
  const dir = path.join(root, "node_modules/.cache/tessera");
  const name = `cli-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.mjs`;
  const file = path.join(dir, name);
  // Written every time, never trusted from an earlier run (a crash can leave a file empty or cut short), and
  // renamed into place: a command starting meanwhile imports the whole file, this one's or an identical one.
  mkdirSync(dir, { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, code);
  renameSync(temporary, file);
  // Bundles of code that has changed since, not written for a day: nothing runs them any more.
  for (const other of readdirSync(dir))
    if (other !== name && Date.now() - statSync(path.join(dir, other), { throwIfNoEntry: false })?.mtimeMs > 86_400_000)
      rmSync(path.join(dir, other), { force: true });
  return file;
}

let bundled;
try {
  bundled = await bundle();
} catch (error) {
  if (process.env.TESSERA_CLI_DEBUG) console.error("[tessera] running the sources through tsx:", error);
}
if (bundled) {
  process.setSourceMapsEnabled(true);
  // No fallback once the bundle runs: its commands have started, and running them again through tsx could repeat one.
  await import(pathToFileURL(bundled).href);
} else {
  await import("./register.mjs");
  await import("./cli/main.ts");
}
