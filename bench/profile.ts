import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { createFixtures } from "./fixtures";
import {
  admin,
  freePort,
  freshDatabase,
  graphqlPost,
  HEAD_ROOT,
  startProcess,
  stopProcess,
} from "./service-process";

/**
 * A repeatable profile of one benchmark scenario: the production build of a checkout, after a
 * warm-up, serving N requests, measured in one of four ways.
 *
 *   node dist/bench/profile.js <a|b|c|e|b-auth|b-field> [--tool callgrind|cputime|cpu-prof|perf] [--root CHECKOUT]
 *        [--requests N] [--warmup N] [--connections C] [--out DIR] [-- PATTERN ...]
 *
 * - `callgrind` (the default) runs the measured process under valgrind and counts the machine
 *   instructions it executes while serving the N requests (counters zeroed after the warm-up,
 *   dumped after the last answer), less what the process executes idle over as long a time
 *   (measured right after), divided by N. Instruction counts hardly move with the machine's load,
 *   so two builds compare on a busy machine too. JIT-compiled JavaScript is named through node's
 *   perf map: bench/callgrind-functions.ts splits a profile by package and function, and
 *   compares two. What it cannot see is the kernel's share: on the loopback the response's
 *   `writev` alone is about a third of a request's busy time (cpu-prof), the same for a and b.
 * - `cputime` runs it as it is and reads the CPU time the process used while serving the N
 *   requests (user and system, from /proc/PID/stat, all threads): unlike wall-clock figures it
 *   does not count time spent waiting for a busy machine's CPUs, and it includes the kernel's
 *   work (socket writes), which instruction counts leave out.
 * - `cpu-prof` runs it under `node --cpu-prof` and summarises the samples taken while the N
 *   requests were served (bench/profile-summary.ts): self time by package and by function.
 * - `perf` samples the process with Linux `perf record -g` (call graphs, kernel included where
 *   `perf_event_paranoid` allows) while the N requests are served, JIT-compiled functions named
 *   through node's perf map; `perf report -i FILE` reads it. The kernel's and V8's C++ share
 *   (strings, GC, write barriers) shows here, which cpu-prof lumps together.
 *
 * Scenarios as in `npm run bench`: (a) anonymous `{ __typename }`, (b) `viewer` with an API key
 * (Basic, 3-entry access list), (c) `viewer` with a user's bearer token, (e) the floor server
 * (node:http + pg, the same key check as b). Two halves of b tell its costs apart: `b-auth`, b's
 * credentials on a's `{ __typename }` (what authenticating costs), and `b-field`, b's `viewer`
 * with no credentials (what the field costs). For e, keyfob itself runs uninstrumented, to make
 * the schema and the fixtures.
 */
const argv = process.argv.slice(2);
const split = argv.includes("--") ? argv.indexOf("--") : argv.length;
const args = argv.slice(0, split);
/** After `--`: patterns for profile-summary's inclusive times (cpu-prof). */
const patterns = argv.slice(split + 1);
const scenario = args.shift() ?? "";
const option = (name: string, fallback: string) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : fallback;
};
const tool = option("tool", "callgrind");
const root = path.resolve(option("root", HEAD_ROOT));
const requests = Number(option("requests", "2000"));
const warmup = Number(option("warmup", "3000"));
const connections = Number(option("connections", "10"));
const out = path.resolve(option("out", path.join(HEAD_ROOT, "profiles")));
// Ports and a database of this run's own, so several runs can go on side by side.
const DATABASE = `keyfob_bench_profile_${process.pid}`;

function usage(): never {
  console.error(
    "usage: node dist/bench/profile.js <a|b|c|e|b-auth|b-field> [--tool callgrind|cputime|cpu-prof|perf] [--root CHECKOUT] " +
      "[--requests N] [--warmup N] [--connections C] [--out DIR]",
  );
  process.exit(2);
}

/** Sends `amount` requests; returns how many failed (the caller decides what that means). */
async function send(
  port: number,
  amount: number,
  body: string,
  headers: Record<string, string>,
): Promise<number> {
  const result = await autocannon({
    ...graphqlPost(port, body, headers, connections),
    amount,
    // Under valgrind a request takes fifty times as long.
    timeout: 120,
  });
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) {
    const statuses = Object.entries(result.statusCodeStats ?? {})
      .map(([status, { count }]) => `${count} × ${status}`)
      .join(", ");
    console.error(
      `${failed} of ${amount} requests failed (${result.errors} errors, ${result.timeouts} timeouts; ${statuses})`,
    );
  }
  return failed;
}

let dumps = 0;
/**
 * Dumps `pid`'s counters and reads the instruction counts of that dump (`out`/callgrind.out.PID.PART-THREAD):
 * the main thread's (JavaScript, the event loop) and all threads' (V8's compiler and GC helpers too).
 */
function dumpInstructions(pid: number): { main: number; all: number } {
  execFileSync("callgrind_control", ["-d", String(pid)], { stdio: "ignore" });
  const part = `callgrind.out.${pid}.${++dumps}-`;
  const counts = { main: 0, all: 0 };
  for (const name of readdirSync(out).filter((file) => file.startsWith(part))) {
    const summary = /^summary: (\d+)/m.exec(readFileSync(path.join(out, name), "utf8"));
    if (!summary) throw new Error(`no summary line in ${name}`);
    counts.all += Number(summary[1]);
    if (name.endsWith("-01")) counts.main = Number(summary[1]);
  }
  if (counts.all === 0) throw new Error(`no callgrind dump ${part}*`);
  return counts;
}

/** CPU seconds the process has used so far, all threads, from /proc (Linux). */
function cpuSeconds(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));
  return { user: Number(fields[11]) / ticks, system: Number(fields[12]) / ticks };
}

function zero(pid: number): void {
  execFileSync("callgrind_control", ["-z", String(pid)], { stdio: "ignore" });
}

const SCENARIOS = ["a", "b", "c", "e", "b-auth", "b-field"];
type Scenario = "a" | "b" | "c" | "e" | "b-auth" | "b-field";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  if (
    !SCENARIOS.includes(scenario) ||
    !["callgrind", "cputime", "cpu-prof", "perf"].includes(tool)
  ) {
    usage();
  }
  if (!existsSync(path.join(root, "dist", "src", "main.js"))) {
    throw new Error(`${root} has no build: run npm run build:all there`);
  }
  mkdirSync(out, { recursive: true });
  const label = `${path.basename(root)}-${scenario}`;
  const instrument =
    tool === "callgrind"
      ? {
          wrapper: [
            "valgrind",
            "--tool=callgrind",
            "--quiet",
            "--separate-threads=yes",
            `--callgrind-out-file=${path.join(out, "callgrind.out.%p")}`,
          ],
          // /tmp/perf-PID.map names the JIT-compiled functions, which callgrind sees as bare
          // addresses: bench/callgrind-functions.ts reads both.
          nodeFlags: ["--perf-basic-prof-only-functions"],
          startTimeoutMs: 600_000,
        }
      : tool === "cpu-prof"
        ? {
            wrapper: [],
            nodeFlags: [
              "--cpu-prof",
              `--cpu-prof-dir=${out}`,
              `--cpu-prof-name=${label}.cpuprofile`,
            ],
            startTimeoutMs: 30_000,
          }
        : tool === "perf"
          ? { wrapper: [], nodeFlags: ["--perf-basic-prof-only-functions"], startTimeoutMs: 30_000 }
          : { wrapper: [], nodeFlags: [], startTimeoutMs: 30_000 };
  const children: ChildProcess[] = [];
  const SERVICE_PORT = await freePort();
  let FLOOR_PORT = await freePort();
  while (FLOOR_PORT === SERVICE_PORT) FLOOR_PORT = await freePort();
  try {
    await freshDatabase(DATABASE);
    const service = await startProcess({
      root,
      script: "src/main.js",
      port: SERVICE_PORT,
      database: DATABASE,
      ...(scenario === "e" ? {} : instrument),
    });
    children.push(service);
    const { benchKey, token } = await createFixtures(SERVICE_PORT);
    let measured = service;
    let port = SERVICE_PORT;
    if (scenario === "e") {
      // The floor server's own build: the one of this checkout when the other has none.
      const floorRoot = existsSync(path.join(root, "dist", "bench", "floor-server.js"))
        ? root
        : HEAD_ROOT;
      measured = await startProcess({
        root: floorRoot,
        script: "bench/floor-server.js",
        port: FLOOR_PORT,
        database: DATABASE,
        ...instrument,
      });
      children.push(measured);
      port = FLOOR_PORT;
    }
    const basic = `Basic ${Buffer.from(`${benchKey.apiKey.publicKey}:${benchKey.privateKey}`).toString("base64")}`;
    const viewer = JSON.stringify({ query: "{ viewer { __typename } }" });
    const typename = JSON.stringify({ query: "{ __typename }" });
    const { body, headers } = {
      a: { body: typename, headers: {} },
      b: { body: viewer, headers: { authorization: basic } },
      c: { body: viewer, headers: { authorization: `Bearer ${token}` } },
      e: { body: viewer, headers: { authorization: basic } },
      "b-auth": { body: typename, headers: { authorization: basic } },
      "b-field": { body: viewer, headers: {} },
    }[scenario as Scenario];

    await send(port, warmup, body, headers);
    // Let the usage flush and any compilation the warm-up started settle.
    await sleep(1500);
    const pid = measured.pid!;
    if (tool === "callgrind") zero(pid);
    const perf =
      tool === "perf"
        ? spawn(
            "perf",
            [
              "record",
              "-F",
              "3999",
              "-g",
              "-p",
              String(pid),
              "-o",
              path.join(out, `${label}.perf.data`),
            ],
            // perf's own complaints (not installed, perf_event_paranoid) show on stderr.
            { stdio: ["ignore", "ignore", "inherit"] },
          )
        : undefined;
    perf?.once("error", (error) => {
      console.error(`perf could not run: ${error.message}`);
      process.exitCode = 1;
    });
    // perf takes a moment to attach to every thread.
    if (perf) await sleep(500);
    const cpuBefore = cpuSeconds(pid);
    const started = process.hrtime.bigint();
    // A few failures (a 503 while valgrind makes a health probe time out) hardly move the counts;
    // many mean the figures are not worth having.
    const failed = await send(port, requests, body, headers);
    if (failed > requests / 100) throw new Error("too many failed requests to measure");
    const ended = process.hrtime.bigint();
    const cpuAfter = cpuSeconds(pid);
    if (perf) {
      perf.kill("SIGINT");
      await new Promise((resolve) => perf.once("exit", resolve));
      console.log(`perf: ${path.join(out, `${label}.perf.data`)}`);
      return;
    }
    const windowMs = Number(ended - started) / 1e6;
    if (tool === "cputime") {
      const perRequest = (us: number) => ((us * 1e6) / requests).toFixed(1);
      console.log(
        `${label}: ${requests} requests in ${(windowMs / 1000).toFixed(1)} s; CPU per request ` +
          `${perRequest(cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system)} µs ` +
          `(user ${perRequest(cpuAfter.user - cpuBefore.user)}, system ${perRequest(cpuAfter.system - cpuBefore.system)})`,
      );
      return;
    }
    if (tool === "callgrind") {
      const busy = dumpInstructions(pid);
      zero(pid);
      await sleep(windowMs);
      const idle = dumpInstructions(pid);
      const perRequest = (count: keyof typeof busy) =>
        Math.round((busy[count] - idle[count]) / requests).toLocaleString("en");
      console.log(
        `${label}: ${requests} requests in ${(windowMs / 1000).toFixed(1)} s under callgrind; ` +
          `${(busy.all / 1e6).toFixed(1)} M instructions (main thread ${(busy.main / 1e6).toFixed(1)} M), ` +
          `idle ${(idle.all / 1e6).toFixed(1)} M over as long; per request ${perRequest("main")} ` +
          `on the main thread, ${perRequest("all")} in all`,
      );
      // The first dump is the busy window; its main thread's file is `…PID.1-01`.
      console.log(
        `by function: node dist/bench/callgrind-functions.js ${path.join(out, `callgrind.out.${pid}.1-01`)} ` +
          `[another profile's file] --requests ${requests}`,
      );
      return;
    }
    await stopProcess(measured);
    const file = path.join(out, `${label}.cpuprofile`);
    const profile = JSON.parse(readFileSync(file, "utf8")) as { startTime: number };
    // The profile's clock is the monotonic clock, as is hrtime: the window, in profile seconds.
    const from = (Number(started / 1000n) - profile.startTime) / 1e6;
    const to = (Number(ended / 1000n) - profile.startTime) / 1e6;
    console.log(
      `${label}: ${requests} requests in ${(windowMs / 1000).toFixed(1)} s; profile ${file}`,
    );
    const summary = execFileSync(
      process.execPath,
      [
        path.join(__dirname, "profile-summary.js"),
        file,
        "--from",
        from.toFixed(3),
        "--to",
        to.toFixed(3),
        "--requests",
        String(requests),
        ...patterns,
      ],
      { encoding: "utf8" },
    );
    console.log(summary);
  } finally {
    for (const child of children.reverse()) await stopProcess(child);
    await admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
