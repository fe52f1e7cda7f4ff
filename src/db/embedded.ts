import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import lockfile from "proper-lockfile";

export interface EmbeddedDatabase {
  /** A `postgres://` URL for the ordinary `pg` driver. */
  readonly url: string;
  /** The server secret kept beside the data, so digests stay valid across restarts. */
  readonly secret: string;
  stop(): Promise<void>;
}

export class DataDirectoryLockedError extends Error {
  constructor(dataDir: string) {
    super(
      `Another keyfob process is using the embedded database in ${dataDir}. ` +
        `Stop it, or set KEYFOB_DATA_DIR to another directory.`,
    );
    this.name = "DataDirectoryLockedError";
  }
}

/**
 * PGlite (PostgreSQL compiled to WebAssembly) in this process, behind a local socket so the app
 * talks to it with the same `pg` driver it uses for a real server. For trying keyfob out only:
 * one process, one CPU core for every query.
 */
export async function startEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabase> {
  const directory = path.resolve(dataDir);
  await mkdir(directory, { recursive: true, mode: 0o700 });

  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(directory, {
      lockfilePath: path.join(directory, "keyfob.lock"),
      stale: 15_000,
      update: 5_000,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ELOCKED") {
      throw new DataDirectoryLockedError(directory);
    }
    throw error;
  }

  try {
    const secret = await readOrCreateSecret(path.join(directory, "secret"));
    // pg_trgm backs the key list's substring search index (see the key-lifecycle migration).
    const db = await PGlite.create({
      dataDir: path.join(directory, "pgdata"),
      extensions: { pg_trgm },
    });
    // The socket server multiplexes connections onto PGlite's single session and keeps a
    // transaction's statements together, so the pool may hold several connections.
    const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 16 });
    await server.start();
    return {
      url: `postgres://postgres@${server.getServerConn()}/postgres`,
      secret,
      async stop() {
        await server.stop();
        await db.close();
        await release();
      },
    };
  } catch (error) {
    await release();
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
