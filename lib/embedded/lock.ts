import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * PGlite is one process's database, so exactly one process may open a data
 * dir at a time: `tessera start` (for the server it runs), or a CLI command.
 * The lock is a file created with O_EXCL that names its holders; a lock whose
 * holders are all dead is stale and taken over.
 */

export class DataDirBusyError extends Error {
  override name = "DataDirBusyError";
}

interface LockInfo {
  purpose: string;
  pids: number[];
  since: string;
}

export interface DataDirLock {
  /** Adds a process (the server child) that keeps the lock held while alive. */
  addHolder(pid: number): void;
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readLock(file: string): LockInfo | null {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as LockInfo;
  } catch {
    return null; // unreadable or half-written: treat as stale
  }
}

/** The absolute data dir of an environment (TESSERA_DATA_DIR, relative to the working directory). */
export function dataDirOf(current: { TESSERA_DATA_DIR: string }): string {
  return path.resolve(current.TESSERA_DATA_DIR);
}

/**
 * Creates dataDir with mode 0700, or tightens an existing one to 0700: it
 * holds the database files and secrets.json, and a dir made by hand (or by
 * an older version) is often 0755, which lets every local user read the
 * database. Called by `tessera start` and by every CLI command.
 */
export function ensureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const mode = statSync(dataDir).mode & 0o777;
  if (mode === 0o700) return;
  try {
    chmodSync(dataDir, 0o700);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") throw error;
    throw new Error(
      `The data dir ${dataDir} has mode ${mode.toString(8).padStart(4, "0")} and this user cannot change it (not its owner); make it 0700 (chmod 700), as it holds the database and its secrets.`,
    );
  }
}

export function lockFile(dataDir: string): string {
  return path.join(dataDir, "tessera.lock");
}

/** Takes the data dir for this process; throws DataDirBusyError naming the holder if another live process has it. */
export function acquireDataDirLock(dataDir: string, purpose: string): DataDirLock {
  ensureDataDir(dataDir);
  const file = lockFile(dataDir);
  const info: LockInfo = { purpose, pids: [process.pid], since: new Date().toISOString() };

  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      try {
        writeFileSync(fd, JSON.stringify(info));
      } finally {
        closeSync(fd);
      }
      let held = true;
      const release = () => {
        if (!held) return;
        held = false;
        process.removeListener("exit", release);
        const current = readLock(file);
        if (current && current.pids[0] === process.pid) unlinkSync(file);
      };
      process.on("exit", release);
      return {
        addHolder(pid) {
          info.pids.push(pid);
          writeFileSync(file, JSON.stringify(info));
        },
        release,
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = readLock(file);
    const live = holder?.pids.filter(isAlive) ?? [];
    if (holder && live.length > 0) {
      throw new DataDirBusyError(
        `The data dir ${dataDir} is in use by "${holder.purpose}" (pid ${live.join(", ")}, since ${holder.since}). ` +
          `The embedded database can be opened by one process at a time: stop that process first` +
          (holder.purpose.includes("start") ? ", or use the REST API of the running server." : "."),
      );
    }
    try {
      unlinkSync(file); // stale: every holder is gone
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  throw new DataDirBusyError(`Could not take the lock ${file}; another process keeps taking it.`);
}
