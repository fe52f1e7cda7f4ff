import { execFile, execFileSync } from "node:child_process";
import { appendFileSync, chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { Client as PgClient } from "pg";

const run = promisify(execFile);

export const POSTGRES_BIN = "/usr/lib/postgresql/15/bin";

/** Why a cluster of its own cannot be made here, or undefined when it can. */
export function clusterUnavailable(): string | undefined {
  for (const tool of ["initdb", "pg_ctl"]) {
    if (!existsSync(path.join(POSTGRES_BIN, tool)))
      return `${POSTGRES_BIN}/${tool} is not installed`;
  }
  return undefined;
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * A PostgreSQL cluster of its own, in a temporary directory on a free port, for tests that stop
 * and crash a server, which they must never do to the shared one. initdb refuses to run as root,
 * so as root the tools run as the `postgres` user, which then owns the directory.
 */
export class PostgresCluster {
  /** Should the test process end without `destroy()` (an uncaught error), the server still stops. */
  private readonly onExit = () => {
    try {
      execFileSync(
        ...this.command("pg_ctl", ["--pgdata", this.dataDir, "--mode", "immediate", "stop"]),
        {
          stdio: "ignore",
          timeout: 30_000,
        },
      );
    } catch {
      // Not running.
    }
    this.remove();
  };

  private constructor(
    readonly directory: string,
    readonly port: number,
    private readonly owner: { uid: number; gid: number } | undefined,
  ) {
    process.once("exit", this.onExit);
  }

  get dataDir(): string {
    return path.join(this.directory, "data");
  }

  /** Superuser URL (trust authentication on 127.0.0.1). */
  url(database = "postgres"): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  static async create(): Promise<PostgresCluster> {
    const directory = mkdtempSync(path.join(tmpdir(), "keyfob-cluster-"));
    let owner: { uid: number; gid: number } | undefined;
    if (process.getuid?.() === 0) {
      const [uid, gid] = await Promise.all([
        run("id", ["-u", "postgres"]).then(({ stdout }) => Number(stdout.trim())),
        run("id", ["-g", "postgres"]).then(({ stdout }) => Number(stdout.trim())),
      ]);
      owner = { uid, gid };
      chownSync(directory, uid, gid);
    }
    const cluster = new PostgresCluster(directory, await freePort(), owner);
    try {
      await cluster.tool("initdb", [
        "--pgdata",
        cluster.dataDir,
        "--username",
        "postgres",
        "--auth",
        "trust",
        "--encoding",
        "UTF8",
        "--locale",
        "C",
        // initdb's own fsyncs only; the server itself runs with fsync on.
        "--no-sync",
      ]);
      appendFileSync(
        path.join(cluster.dataDir, "postgresql.conf"),
        [
          `port = ${cluster.port}`,
          `listen_addresses = '127.0.0.1'`,
          `unix_socket_directories = '${directory}'`,
          // Small: the machine is shared, and the tests need only a few connections.
          `shared_buffers = 16MB`,
          `max_connections = 40`,
          "",
        ].join("\n"),
      );
      return cluster;
    } catch (error) {
      cluster.remove();
      throw error;
    }
  }

  /** Starts the server and resolves once it accepts connections; returns that moment. */
  async start(): Promise<number> {
    await this.tool("pg_ctl", [
      "--pgdata",
      this.dataDir,
      "--log",
      path.join(this.directory, "server.log"),
      "--no-wait",
      "start",
    ]);
    return this.acceptingSince();
  }

  /** `pg_ctl stop -m immediate`: every backend dies at once, without a checkpoint, as in a crash. */
  async crash(): Promise<void> {
    await this.tool("pg_ctl", ["--pgdata", this.dataDir, "--mode", "immediate", "--wait", "stop"]);
  }

  /** Stops the server if it runs and deletes the cluster; never throws. */
  async destroy(): Promise<void> {
    process.removeListener("exit", this.onExit);
    await this.tool("pg_ctl", ["--pgdata", this.dataDir, "--mode", "immediate", "stop"]).catch(
      () => {},
    );
    this.remove();
  }

  /** Polls every 10 ms, for at most 60 s, until a connection succeeds. */
  private async acceptingSince(): Promise<number> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const client = new PgClient({ connectionString: this.url(), connectionTimeoutMillis: 1_000 });
      try {
        await client.connect();
        const at = Date.now();
        await client.end();
        return at;
      } catch (error) {
        await client.end().catch(() => {});
        if (Date.now() > deadline) throw error;
        await sleep(10);
      }
    }
  }

  private async tool(name: string, args: string[]): Promise<void> {
    await run(...this.command(name, args), { cwd: this.directory, timeout: 120_000 });
  }

  /** A PostgreSQL tool's command line, as the `postgres` user when this process is root. */
  private command(name: string, args: string[]): [string, string[]] {
    const binary = path.join(POSTGRES_BIN, name);
    return this.owner ? ["runuser", ["-u", "postgres", "--", binary, ...args]] : [binary, args];
  }

  private remove(): void {
    rmSync(this.directory, { recursive: true, force: true });
  }
}
