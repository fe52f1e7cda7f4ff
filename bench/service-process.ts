import autocannon from "autocannon";
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { Client as PgClient } from "pg";

/**
 * Starting a build of keyfob (or the floor server) as its own process for the benchmarks:
 * `npm run bench`, `bench:compare` and `bench/profile.ts` all start it the same way, with the
 * production settings, on a database of their own on the local PostgreSQL.
 */
export const ADMIN_URL =
  process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const BENCH_SECRET = "bench-secret-0123456789abcdef0123456789abcdef";
/** The checkout this script was built from (dist/bench/… → the checkout). */
export const HEAD_ROOT = path.join(__dirname, "..", "..");

/**
 * Requests per second over one second of load, on a service that is already warm: the unit of
 * the paired measurements, whose two halves must see the same spell of the machine.
 */
export async function slice(
  port: number,
  body: string,
  headers: Record<string, string>,
  connections: number,
): Promise<number> {
  const result = await autocannon({
    ...graphqlPost(port, body, headers, connections),
    duration: 1,
  });
  if (result.non2xx + result.errors + result.timeouts > 0) {
    throw new Error(`a 1 s slice failed: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  return result.requests.total;
}

/** autocannon's options for POSTing one GraphQL request body to a service on `port`. */
export function graphqlPost(
  port: number,
  body: string,
  headers: Record<string, string>,
  connections: number,
) {
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    method: "POST" as const,
    headers: { "content-type": "application/json", ...headers },
    body,
    connections,
  };
}

export async function admin(sql: string): Promise<void> {
  const client = new PgClient({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export function databaseUrl(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Drops and creates an empty database for one build's run. */
export async function freshDatabase(database: string): Promise<void> {
  await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${database}`);
}

export interface ProcessOptions {
  /** The checkout whose build runs (its `dist/`). */
  root: string;
  /** Inside `dist/`: "src/main.js" or "bench/floor-server.js". */
  script: string;
  port: number;
  database: string;
  label?: string;
  /**
   * What runs node, e.g. `["valgrind", "--tool=callgrind", …]`, and node's own flags
   * (`--cpu-prof`). Both default to none.
   */
  wrapper?: string[];
  nodeFlags?: string[];
  /** How long start-up may take (a service under valgrind needs minutes). */
  startTimeoutMs?: number;
  stdout?: "ignore" | "inherit";
}

/**
 * Spawns the script with the production environment and resolves once it answers (`/readyz` for
 * the service, `/` for the floor server).
 */
export async function startProcess(options: ProcessOptions): Promise<ChildProcess> {
  const { root, script, port, database, wrapper = [], nodeFlags = [] } = options;
  const label = options.label ?? script;
  const command = [...wrapper, process.execPath, ...nodeFlags, path.join(root, "dist", script)];
  const child = spawn(command[0], command.slice(1), {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl(database),
      KEYFOB_SECRET: BENCH_SECRET,
      PORT: String(port),
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", options.stdout ?? "ignore", "inherit"],
  });
  const probe = `http://127.0.0.1:${port}/${script.includes("floor") ? "" : "readyz"}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${label} exited with ${child.exitCode}`);
    try {
      if ((await fetch(probe)).status < 500) return child;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${label} did not start`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Sends SIGTERM and resolves when the process has exited (a profile is written by then). */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** A TCP port free on 127.0.0.1 just now, so runs side by side do not collide. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
