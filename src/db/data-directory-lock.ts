import { readFile, unlink, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import lockfile from "proper-lockfile";

/**
 * The lock is a directory whose mtime its holder refreshes; it counts as abandoned once it has
 * not been refreshed for this long. Generous, since PGlite's WebAssembly holds the event loop
 * during a long statement and the refresh waits for it: a shorter time would let a second process
 * take over from a live, busy one.
 */
const STALE_MS = 15_000;
const REFRESH_MS = 5_000;

/** The directories this process holds: a lock naming this pid and not among them is a previous run's. */
const held = new Set<string>();

export class DataDirectoryLockedError extends Error {
  constructor(dataDir: string) {
    super(
      `Another keyfob process is using the embedded database in ${dataDir}. ` +
        `Stop it, or set KEYFOB_DATA_DIR to another directory.`,
    );
    this.name = "DataDirectoryLockedError";
  }
}

export interface DataDirectoryLock {
  /** The pid of a crashed holder whose lock this one replaced, if it did. */
  readonly tookOverFrom: number | undefined;
  release(): Promise<void>;
}

/**
 * Locks the embedded database's directory for this process and resolves to the lock. Only one
 * process may open a PGlite directory at a time, or both write to it.
 *
 * A keyfob that crashed (SIGKILL, out of memory) leaves a lock refreshed moments ago, which would
 * hold a restart back for the whole stale time; so the holder's pid and host name are kept beside
 * the lock, and a lock whose holder no longer runs is taken over at once. A pid means something
 * only on its own host (a container has its own pids and, by default, its own host name), so a
 * lock left on another host, a live holder, or one that cannot be told (no pid yet) makes the
 * start fail with DataDirectoryLockedError until the lock is stale.
 */
export async function lockDataDirectory(directory: string): Promise<DataDirectoryLock> {
  const lockPath = path.join(directory, "keyfob.lock");
  const pidPath = path.join(directory, "keyfob.pid");
  const options = { lockfilePath: lockPath, stale: STALE_MS, update: REFRESH_MS };
  const lock = () =>
    lockfile.lock(directory, options).catch((error: NodeJS.ErrnoException) => {
      throw error.code === "ELOCKED" ? new DataDirectoryLockedError(directory) : error;
    });

  let release: () => Promise<void>;
  let tookOverFrom: number | undefined;
  try {
    release = await lock();
  } catch (error) {
    const holder = await readHolder(pidPath);
    const abandoned =
      holder !== undefined &&
      holder.host === hostname() &&
      !held.has(lockPath) &&
      !isRunning(holder.pid);
    if (!(error instanceof DataDirectoryLockedError) || !abandoned) {
      throw error;
    }
    // Dated back, the abandoned lock is stale to proper-lockfile, which replaces it by its own
    // rules (should two restarts race, one of them gets the lock).
    await utimes(lockPath, 0, 0).catch(() => {});
    release = await lock();
    tookOverFrom = holder.pid;
  }
  held.add(lockPath);
  await writeFile(pidPath, `${process.pid} ${hostname()}\n`);
  return {
    tookOverFrom,
    async release() {
      await unlink(pidPath).catch(() => {});
      await release();
      held.delete(lockPath);
    },
  };
}

async function readHolder(file: string): Promise<{ pid: number; host: string } | undefined> {
  const [pidText, host = ""] = (await readFile(file, "utf8").catch(() => "")).trim().split(" ");
  const pid = Number(pidText);
  return Number.isSafeInteger(pid) && pid > 0 ? { pid, host } : undefined;
}

function isRunning(pid: number): boolean {
  // In a container keyfob is often pid 1 on every start: then the pid is a previous run's.
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: a process of another user has that pid, and it may be a keyfob.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
