// A node:test reporter that writes, per test file, the wall time its top-level tests took, slowest first:
// CI's time budget (30 minutes on 2 cores) is spent file by file, and the spec reporter's output does not sum it.
// run-tests.mjs adds it beside the spec reporter, with test-results/file-times-<mode>.txt as its destination.
export default async function* fileTimes(source) {
  const times = new Map();
  for await (const event of source) {
    if ((event.type === "test:pass" || event.type === "test:fail") && event.data.nesting === 0) {
      const file = event.data.file ?? event.data.name;
      const entry = times.get(file) ?? { ms: 0, tests: 0, failed: 0 };
      entry.ms += event.data.details?.duration_ms ?? 0;
      entry.tests += 1;
      if (event.type === "test:fail") entry.failed += 1;
      times.set(file, entry);
    }
  }
  const rows = [...times].sort((a, b) => b[1].ms - a[1].ms);
  const total = rows.reduce((sum, [, entry]) => sum + entry.ms, 0);
  for (const [file, entry] of rows)
    yield `${(entry.ms / 1000).toFixed(1).padStart(8)} s  ${String(entry.tests).padStart(3)} top-level${entry.failed ? `, ${entry.failed} failed` : ""}  ${file}\n`;
  yield `${(total / 1000).toFixed(1).padStart(8)} s  total (files run side by side, so more than the wall time)\n`;
}
