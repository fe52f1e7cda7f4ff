import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { lockDataDirectory } from "./data-directory-lock";

export interface EmbeddedDatabase {
  /** A `postgres://` URL for the ordinary `pg` driver. */
  readonly url: string;
  /** The server secret kept beside the data, so digests stay valid across restarts. */
  readonly secret: string;
  /** The pid of a keyfob that crashed holding this directory, if this start took over from one. */
  readonly recoveredFrom: number | undefined;
  stop(): Promise<void>;
}

/**
 * PGlite (PostgreSQL compiled to WebAssembly) in this process, behind a local socket so the app
 * talks to it with the same `pg` driver it uses for a real server. For trying keyfob out only:
 * one process, one CPU core for every query.
 *
 * Durability: PGlite runs PostgreSQL with fsync off (`-F`), and its Node file system writes
 * through to the kernel without ever syncing. A committed change is in the kernel's page cache
 * before its answer leaves, so it survives keyfob being killed (PostgreSQL replays its WAL on the
 * next start); it does not survive the machine going down (power cut, kernel crash), which can
 * lose recent changes or leave the directory unusable.
 */
export async function startEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabase> {
  const directory = path.resolve(dataDir);
  await mkdir(directory, { recursive: true, mode: 0o700 });

  const lock = await lockDataDirectory(directory);
  try {
    const secret = await readOrCreateSecret(path.join(directory, "secret"));
    // pg_trgm backs the key list's substring search index (see the key-lifecycle migration).
    const db = await PGlite.create({
      dataDir: path.join(directory, "pgdata"),
      extensions: { pg_trgm },
    });
    // The socket server puts every connection onto PGlite's single session; the service keeps to
    // one connection (see its pool size), since concurrent ones would interleave their statements.
    const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 16 });
    await server.start();
    return {
      url: `postgres://postgres@${server.getServerConn()}/postgres`,
      secret,
      recoveredFrom: lock.tookOverFrom,
      async stop() {
        await server.stop();
        await db.close();
        await lock.release();
      },
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function readOrCreateSecret(file: string): Promise<string> {
  try {
    return (await readFile(file, "utf8")).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    const secret = randomBytes(48).toString("base64url");
    await writeFile(file, secret + "\n", { mode: 0o600, flag: "wx" });
    return secret;
  }
}
