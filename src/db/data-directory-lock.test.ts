import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { DataDirectoryLockedError, lockDataDirectory } from "./data-directory-lock";

/** A pid that ran a moment ago and runs no more. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(child.stdout.toString());
}

describe("lockDataDirectory", () => {
  const directories: string[] = [];
  after(() => directories.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  /** A data directory with, optionally, a fresh lock left behind by `pid` on `host`. */
  function dataDirectory(leftBehindBy?: number | "nobody", host = hostname()): string {
    const dir = mkdtempSync(path.join(tmpdir(), "keyfob-lock-"));
    directories.push(dir);
    if (leftBehindBy !== undefined) {
      mkdirSync(path.join(dir, "keyfob.lock"));
      if (leftBehindBy !== "nobody")
        writeFileSync(path.join(dir, "keyfob.pid"), `${leftBehindBy} ${host}\n`);
    }
    return dir;
  }

  it("locks a directory once, keeps the holder's pid beside the lock, and removes both on release", async () => {
    const dir = dataDirectory();
    const lock = await lockDataDirectory(dir);
    assert.equal(lock.tookOverFrom, undefined);
    await assert.rejects(lockDataDirectory(dir), DataDirectoryLockedError);
    assert.ok(existsSync(path.join(dir, "keyfob.pid")));
    await lock.release();
    assert.equal(existsSync(path.join(dir, "keyfob.pid")), false);
    assert.equal(existsSync(path.join(dir, "keyfob.lock")), false);
    await (await lockDataDirectory(dir)).release();
  });

  it("takes over at once a fresh lock whose holder no longer runs, as a crash leaves it", async () => {
    const crashed = deadPid();
    const started = Date.now();
    const lock = await lockDataDirectory(dataDirectory(crashed));
    assert.ok(Date.now() - started < 2_000, "waited for the lock to go stale");
    assert.equal(lock.tookOverFrom, crashed);
    await lock.release();
  });

  it("takes over a lock that names its own pid (a container's pid 1 of a previous run)", async () => {
    await (await lockDataDirectory(dataDirectory(process.pid))).release();
  });

  it("refuses a lock whose holder runs, or whose holder it cannot tell", async () => {
    // pid 1 always runs (as another user, it answers EPERM: still running).
    await assert.rejects(lockDataDirectory(dataDirectory(1)), DataDirectoryLockedError);
    await assert.rejects(lockDataDirectory(dataDirectory("nobody")), DataDirectoryLockedError);
  });

  it("refuses a fresh lock left on another host, whose pid means nothing here (a volume shared by two containers)", async () => {
    await assert.rejects(
      lockDataDirectory(dataDirectory(deadPid(), "another-container")),
      DataDirectoryLockedError,
    );
  });
});
