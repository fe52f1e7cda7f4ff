import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { createFixtures } from "./fixtures";
import {
  freshDatabase,
  graphqlPost,
  HEAD_ROOT as HEAD,
  median,
  slice,
  startProcess,
} from "./service-process";

/**
 * `npm run bench:compare -- <baseline checkout> [<other checkout>]`: this build (or the other
 * checkout) against another build of keyfob (a checkout with `npm run build` done, e.g. a git
 * worktree at the commit before a change),
 * both on PostgreSQL, in interleaved rounds, so a before/after figure is measured in one run on
 * one machine state. Each build gets a database of its own (their schemas may differ) and the
 * same fixtures through the API. Prints per scenario the median req/s of each build and the
 * median of the per-round ratios this / baseline, then each build's b / a and a / e (the floor
 * server, measured once a round, is e). Then a and b again in pairs of 1 s slices, both builds
 * back to back in alternating order (as `npm run bench` measures its paired b / a): each build's
 * paired b / a, and this / baseline for a and for b, which tell a change that makes b cheaper
 * from one that only makes a dearer.
 */
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 24);

interface Build {
  label: string;
  root: string;
  port: number;
  database: string;
}

async function start(build: Build): Promise<ChildProcess> {
  await freshDatabase(build.database);
  return startProcess({
    root: build.root,
    script: "src/main.js",
    port: build.port,
    database: build.database,
    label: build.label,
  });
}

async function requestsPerSecond(
  port: number,
  body: string,
  headers: Record<string, string>,
): Promise<number> {
  const options = graphqlPost(port, body, headers, CONNECTIONS);
  await autocannon({ ...options, duration: 1 });
  const result = await autocannon({ ...options, duration: SECONDS });
  if (result.non2xx + result.errors > 0) {
    throw new Error(`${result.non2xx + result.errors} failed requests on port ${port}`);
  }
  return result.requests.average;
}

async function main(): Promise<void> {
  const baselineRoot = path.resolve(process.argv[2] ?? "");
  if (!process.argv[2] || !existsSync(path.join(baselineRoot, "dist", "src", "main.js"))) {
    throw new Error(
      "usage: npm run bench:compare -- <baseline checkout, built> [<other checkout>]",
    );
  }
  const headRoot = process.argv[3] ? path.resolve(process.argv[3]) : HEAD;
  const builds: Build[] = [
    { label: "baseline", root: baselineRoot, port: 4811, database: "keyfob_bench_baseline" },
    { label: "this build", root: headRoot, port: 4812, database: "keyfob_bench_this" },
  ];
  const children: ChildProcess[] = [];
  try {
    const scenarios: { name: string; body: string; headers: Record<string, string> }[][] = [];
    for (const build of builds) {
      children.push(await start(build));
      const { benchKey, token } = await createFixtures(build.port);
      const basic = `${benchKey.apiKey.publicKey}:${benchKey.privateKey}`;
      scenarios.push([
        { name: "anonymous { __typename }", body: `{"query":"{ __typename }"}`, headers: {} },
        {
          name: "viewer, API key (Basic)",
          body: `{"query":"{ viewer { __typename } }"}`,
          headers: { authorization: `Basic ${Buffer.from(basic).toString("base64")}` },
        },
        {
          name: "viewer, user bearer token",
          body: `{"query":"{ viewer { __typename } }"}`,
          headers: { authorization: `Bearer ${token}` },
        },
      ]);
    }
    // The floor (node:http + pg, the same key check), on this build's database and key: each
    // build's anonymous figure against it, round by round, is the a / e.
    const floorPort = 4813;
    children.push(
      await startProcess({
        root: HEAD,
        script: "bench/floor-server.js",
        port: floorPort,
        database: builds[1].database,
      }),
    );
    const floor: number[] = [];
    const figures = scenarios[0].map(() => builds.map(() => [] as number[]));
    for (let round = 1; round <= ROUNDS; round++) {
      const { body, headers } = scenarios[1][1];
      floor.push(await requestsPerSecond(floorPort, body, headers));
      console.log(
        `round ${round} ${"floor".padEnd(10)} ${"(e) node:http + pg".padEnd(28)} ${floor.at(-1)!.toFixed(0)} req/s`,
      );
      for (const [index, scenario] of scenarios[0].entries()) {
        // Alternate which build goes first, so neither always meets a warmer machine.
        const order = round % 2 ? [0, 1] : [1, 0];
        for (const build of order) {
          const { body, headers } = scenarios[build][index];
          const value = await requestsPerSecond(builds[build].port, body, headers);
          figures[index][build].push(value);
          console.log(
            `round ${round} ${builds[build].label.padEnd(10)} ${scenario.name.padEnd(28)} ${value.toFixed(0)} req/s`,
          );
        }
      }
    }
    // Scenarios 0 and 1 are a and b; in each pair both builds run both, orders alternating.
    const paired = builds.map(() => [[] as number[], [] as number[]]);
    for (let pair = 0; pair < PAIRS; pair++) {
      const buildOrder = pair % 2 ? [1, 0] : [0, 1];
      const scenarioOrder = Math.floor(pair / 2) % 2 ? [1, 0] : [0, 1];
      for (const build of buildOrder) {
        for (const index of scenarioOrder) {
          const { body, headers } = scenarios[build][index];
          paired[build][index].push(await slice(builds[build].port, body, headers, CONNECTIONS));
        }
      }
    }
    console.log(`\n${ROUNDS} rounds of ${SECONDS} s, ${CONNECTIONS} connections; medians:`);
    for (const [index, scenario] of scenarios[0].entries()) {
      const [baseline, head] = figures[index];
      const ratio = median(head.map((value, round) => value / baseline[round]));
      console.log(
        `${scenario.name.padEnd(28)} baseline ${median(baseline).toFixed(0).padStart(6)}  this ${median(head).toFixed(0).padStart(6)}  this/baseline ${ratio.toFixed(3)}`,
      );
    }
    console.log(`floor (e)                    ${median(floor).toFixed(0).padStart(6)}`);
    // Ratios within each build, each the median of per-round ratios (a, b are scenarios 0, 1).
    for (const [build, { label }] of builds.entries()) {
      const perRound = (top: number[], bottom: number[]) =>
        median(top.map((value, round) => value / bottom[round]));
      const [a, b] = [figures[0][build], figures[1][build]];
      console.log(
        `${label.padEnd(10)} b / a ${perRound(b, a).toFixed(2)} (target 0.90)  a / e ${perRound(a, floor).toFixed(2)} (target 0.50)`,
      );
    }
    const pairedRatio = (top: number[], bottom: number[]) =>
      median(top.map((value, pair) => value / bottom[pair])).toFixed(3);
    console.log(`\n${PAIRS} pairs of 1 s slices; medians of the pairs' ratios:`);
    for (const [build, { label }] of builds.entries()) {
      console.log(`${label.padEnd(10)} b / a ${pairedRatio(paired[build][1], paired[build][0])}`);
    }
    for (const [index, name] of ["a", "b"].entries()) {
      console.log(`${name}: this / baseline ${pairedRatio(paired[1][index], paired[0][index])}`);
    }
  } finally {
    for (const child of children) child.kill("SIGTERM");
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
