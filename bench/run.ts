import autocannon from "autocannon";
import {
  describeCommit,
  describeMachine,
  PAIRED_RATIO,
  recordRun,
  TARGETS,
  type Figures,
} from "./results";
import { createFixtures } from "./fixtures";
import { seedFillerKeys } from "./seed-keys";
import {
  databaseUrl as urlOf,
  freshDatabase,
  graphqlPost,
  HEAD_ROOT as ROOT,
  median,
  slice,
  startProcess,
} from "./service-process";

/**
 * `npm run bench`: the production build on a real PostgreSQL, every scenario in one invocation
 * so their figures compare. Adds the run to bench/results.json and rewrites bench/RESULTS.md.
 */
/** Another name (and BENCH_PORT) lets two checkouts benchmark side by side. */
const DATABASE = process.env.BENCH_DATABASE_NAME ?? "keyfob_bench";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/** Five: one round's b / a moves by ±0.07 on this shared machine, so three make a shaky median. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
/**
 * b / a measured again in pairs of one-second slices, a and b back to back in alternating
 * order: both halves of a pair see the same spell of this shared machine, whose speed moves by a
 * fifth within a minute. Four runs of one build gave 0.849–0.870 by thirty pairs, where the
 * median of five 5-second rounds moved between 0.79 and 0.93 (a busier spell still moves it by
 * a few hundredths).
 */
const PAIRS = Number(process.env.BENCH_PAIRS ?? 30);
/** `BENCH_ONLY=events`: the fixtures, the 100-event and 100-key pages only, printed and not recorded. */
const ONLY = process.env.BENCH_ONLY;
const databaseUrl = urlOf(DATABASE);

const start = (script: string, port: number) =>
  startProcess({ root: ROOT, script, port, database: DATABASE });

/** An OAuth access token for the bench key (client-credentials grant, HTTP Basic). */
async function accessToken(port: number, basicAuthorization: string): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/oauth/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: basicAuthorization,
    },
    body: "grant_type=client_credentials",
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no access token: ${JSON.stringify(body)}`);
  return body.access_token;
}

async function load(
  name: string,
  port: number,
  body: string,
  headers: Record<string, string>,
): Promise<Figures> {
  const options = graphqlPost(port, body, headers, CONNECTIONS);
  await autocannon({ ...options, duration: 1 }); // warm-up: JIT, caches, pools
  const result = await autocannon({ ...options, duration: SECONDS });
  const figures = {
    name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors,
  };
  console.log(
    `${name.padEnd(48)} ${figures.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${figures.p50} ms  p99 ${figures.p99} ms${figures.non2xx ? `  (${figures.non2xx} non-2xx!)` : ""}`,
  );
  return figures;
}

async function main(): Promise<void> {
  const started = Date.now();
  await freshDatabase(DATABASE);
  const port = Number(process.env.BENCH_PORT ?? 4801);
  const service = await start("src/main.js", port);
  try {
    const { token, organizationId, benchKey } = await createFixtures(port);
    const seededSmall = await seedFillerKeys(databaseUrl, {
      organizations: 10,
      keysPerOrganization: 90,
    });
    console.log(
      `1 k keys in the database (${seededSmall.keys} filler keys in ${seededSmall.seconds.toFixed(1)} s)`,
    );

    const basic = {
      authorization: `Basic ${Buffer.from(`${benchKey.apiKey.publicKey}:${benchKey.privateKey}`).toString("base64")}`,
    };
    const bearer = { authorization: `Bearer ${token}` };
    const oauth = { authorization: `Bearer ${await accessToken(port, basic.authorization)}` };
    const viewer = JSON.stringify({ query: "{ viewer { __typename } }" });
    const keyPage = JSON.stringify({
      query: `query ($id: ID!) { organization(id: $id) { apiKeys(first: 100) { edges { node {
        id publicKey description roles
        projectAssignments { roles project { id name } }
        accessList { cidrBlock usageCount lastUsedAt } } } } } }`,
      variables: { id: organizationId },
    });
    // The fixtures' own mutations wrote the trail: about 400 events (each key's creation, its
    // access list and its assignment), so the page is full.
    const eventPage = JSON.stringify({
      query: `query ($id: ID!) { organization(id: $id) { events(first: 100) { edges { node {
        id type createdAt actorLabel remoteAddress targetPublicKey roles accessListEntry
        actor { __typename ... on User { id email } ... on ApiKey { id publicKey } }
        organization { id name } project { id name }
        targetApiKey { id publicKey description } targetUser { id email } } } } } }`,
      variables: { id: organizationId },
    });
    const eventPageName = "(f) 100-event page, actor + targets + project";
    if (ONLY === "events") {
      // Interleaved with (d), the page it compares with, on the same machine state.
      for (let round = 1; round <= ROUNDS; round++) {
        await load("(d) 100-key page, assignments + access lists", port, keyPage, bearer);
        await load(eventPageName, port, eventPage, bearer);
      }
      return;
    }

    // Scenarios run in interleaved rounds, so a slow spell of this shared machine hits them all;
    // each figure is the median of its rounds and each ratio the median of per-round ratios.
    const scenarios: Record<
      string,
      { name: string; port: number; body: string; headers: Record<string, string> }
    > = {
      a: {
        name: "(a) anonymous { __typename }",
        port,
        body: JSON.stringify({ query: "{ __typename }" }),
        headers: {},
      },
      b: {
        name: "(b) viewer, API key (Basic, 3-entry list), 1 k",
        port,
        body: viewer,
        headers: basic,
      },
      c: { name: "(c) viewer, user bearer token", port, body: viewer, headers: bearer },
      g: {
        name: "(g) viewer, OAuth access token (same key)",
        port,
        body: viewer,
        headers: oauth,
      },
      e: {
        name: "(e) floor: node:http + pg, same verification",
        port: 4802,
        body: viewer,
        headers: basic,
      },
    };
    const floor = await start("bench/floor-server.js", 4802);
    const rounds: Record<string, Figures[]> = {
      a: [],
      b: [],
      c: [],
      g: [],
      e: [],
      aLarge: [],
      bLarge: [],
    };
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        console.log(`round ${round} of ${ROUNDS}`);
        // a and b, whose ratio is the goal, swap places every other round: each in turn starts
        // on a service that rested while the floor ran, and each in turn follows the other.
        // g follows one of them and c (the user token's SQL, the most garbage) comes after.
        const order = round % 2 ? ["a", "b", "g", "c", "e"] : ["b", "a", "g", "c", "e"];
        for (const id of order) {
          const scenario = scenarios[id];
          rounds[id].push(
            await load(scenario.name, scenario.port, scenario.body, scenario.headers),
          );
        }
      }
    } finally {
      floor.kill("SIGTERM");
    }
    console.log(`b / a in ${PAIRS} pairs of 1 s slices`);
    const sliceOf = (id: "a" | "b") =>
      slice(port, scenarios[id].body, scenarios[id].headers, CONNECTIONS);
    const pairedRatios: number[] = [];
    for (let pair = 0; pair < PAIRS; pair++) {
      // Every other pair b goes first, so neither always follows the other.
      let a: number;
      let b: number;
      if (pair % 2 === 0) {
        a = await sliceOf("a");
        b = await sliceOf("b");
      } else {
        b = await sliceOf("b");
        a = await sliceOf("a");
      }
      pairedRatios.push(b / a);
    }
    const d = await load("(d) 100-key page, assignments + access lists", port, keyPage, bearer);
    const f = await load(eventPageName, port, eventPage, bearer);

    const seededLarge = await seedFillerKeys(databaseUrl, {
      organizations: 9_990,
      keysPerOrganization: 100,
    });
    console.log(
      `1 M keys in the database (${seededLarge.keys} more filler keys in ${seededLarge.seconds.toFixed(1)} s)`,
    );
    const largeA = () =>
      load("(a) anonymous, 1 M keys in the database", port, scenarios.a.body, {});
    const largeB = () =>
      load("(b) viewer, API key (Basic, 3-entry list), 1 M", port, viewer, basic);
    for (let round = 1; round <= ROUNDS; round++) {
      // a and b swap places every other round, as above.
      if (round % 2 === 0) rounds.bLarge.push(await largeB());
      rounds.aLarge.push(await largeA());
      if (round % 2 === 1) rounds.bLarge.push(await largeB());
    }

    const perRound = (top: string, bottom: string) =>
      rounds[top].map(
        (figures, i) => figures.requestsPerSecond / rounds[bottom][i].requestsPerSecond,
      );
    const roundRatios: Record<string, number[]> = {
      "b / a": perRound("b", "a"),
      "a / e": perRound("a", "e"),
      "b / e": perRound("b", "e"),
      "g / b": perRound("g", "b"),
    };
    const results: Record<string, Figures> = {
      a: summarise(rounds.a),
      b: summarise(rounds.b),
      c: summarise(rounds.c),
      d,
      g: summarise(rounds.g),
      e: summarise(rounds.e),
      f,
      bLarge: summarise(rounds.bLarge),
    };
    const ratios: Record<string, number> = {
      ...Object.fromEntries(
        Object.entries(roundRatios).map(([name, values]) => [name, median(values)]),
      ),
      [PAIRED_RATIO]: median(pairedRatios),
      "b (1 M) / b (1 k)": results.bLarge.requestsPerSecond / results.b.requestsPerSecond,
      "b (1 M) / b (1 k), each against a":
        median(perRound("bLarge", "aLarge")) / median(roundRatios["b / a"]),
    };
    const ratioRanges = {
      ...Object.fromEntries(
        Object.entries(roundRatios).map(([name, values]) => [
          name,
          [Math.min(...values), Math.max(...values)] as [number, number],
        ]),
      ),
      // Thirty pairs: the middle half, where the others show every round.
      [PAIRED_RATIO]: quartiles(pairedRatios),
    };
    for (const [name, value] of Object.entries(ratios)) {
      const target = TARGETS[name];
      const goal =
        target === undefined
          ? ""
          : ` (target ≥ ${target.toFixed(2)}: ${value >= target ? "met" : "missed"})`;
      console.log(`${name.padEnd(36)} ${value.toFixed(2)}${goal}`);
    }
    await recordRun({
      date: new Date().toISOString(),
      commit: describeCommit(ROOT),
      machine: `${describeMachine()}, PostgreSQL on the same machine`,
      settings: { connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS, pairs: PAIRS },
      scenarios: results,
      ratios,
      ratioRanges,
      seedSeconds: seededLarge.seconds,
      totalSeconds: (Date.now() - started) / 1000,
    });
  } finally {
    service.kill("SIGTERM");
  }
}

function quartiles(values: number[]): [number, number] {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (share: number) => sorted[Math.round(share * (sorted.length - 1))];
  return [at(0.25), at(0.75)];
}

/** The median of each figure over the rounds of one scenario. */
function summarise(samples: Figures[]): Figures {
  return {
    name: samples[0].name,
    requestsPerSecond: median(samples.map((s) => s.requestsPerSecond)),
    p50: median(samples.map((s) => s.p50)),
    p99: median(samples.map((s) => s.p99)),
    non2xx: samples.reduce((sum, s) => sum + s.non2xx, 0),
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
