import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { request } from "./support/http";
import { MixedLoad, seedLoadActors } from "./support/mixed-load";
import { checkMutations, type MutationCheck } from "./support/mutation-check";
import { clusterUnavailable, PostgresCluster } from "./support/postgres-cluster";
import { uncleanKinds, type Sample } from "./support/sampling";
import { startTestService, type TestService } from "./support/service";

const LOOPS = 8;
/** Load before the crash, the crash's length, and load after recovery. */
const WARM_UP_MS = 1_500;
const DOWN_MS = 2_000;
const AFTER_RECOVERY_MS = 1_500;
/** How long after PostgreSQL accepts connections the service may take to serve again. */
const RECOVERY_BOUND_MS = 10_000;

const unavailable = clusterUnavailable();

describe(
  "a real PostgreSQL crash and restart under load (pg_ctl stop -m immediate)",
  { skip: unavailable && `skipped: ${unavailable}` },
  () => {
    let cluster: PostgresCluster | undefined;
    let service: TestService | undefined;
    let load: MixedLoad | undefined;
    let crashedAt = 0;
    let acceptingAt = 0;
    let recoveredAt = 0;
    let logsBefore = 0;
    let check: MutationCheck;

    before(async () => {
      cluster = await PostgresCluster.create();
      await cluster.start();
      // Starting the service on the new cluster migrates it.
      service = await startTestService({
        DATABASE_URL: cluster.url(),
        MAX_API_KEYS_PER_ORGANIZATION: "100000",
      });
      load = new MixedLoad(await seedLoadActors(service.client, LOOPS));
      logsBefore = service.logs.length;
      load.start();
      await sleep(WARM_UP_MS);

      crashedAt = Date.now();
      await cluster.crash();
      await sleep(DOWN_MS);
      acceptingAt = await cluster.start();

      const deadline = acceptingAt + RECOVERY_BOUND_MS;
      while (Date.now() < deadline) {
        const first = firstSuccessSentAfter(load.samples, acceptingAt);
        if (first) {
          recoveredAt = first.answeredAt;
          break;
        }
        await sleep(20);
      }
      await sleep(AFTER_RECOVERY_MS);
      await load.stop();
      check = await checkMutations(load.actors.owner.client, load.mutations);
    });

    after(async () => {
      await load?.stop();
      await service?.stop();
      await cluster?.destroy();
    });

    it("answers every request during the outage with 503 and Retry-After: no INTERNAL_SERVER_ERROR, no other 5xx, no hang", (t) => {
      const samples = load!.samples;
      const outage = samples.filter((s) => s.answeredAt >= crashedAt && s.sentAt <= recoveredAt);
      const clean = outage.filter((s) => s.verdict === "clean failure").length;
      const unclean = samples.filter((s) => s.verdict === "unclean");
      t.diagnostic(
        `${samples.length} requests in all from ${LOOPS} loops; ${outage.length} during the outage ` +
          `(${acceptingAt - crashedAt} ms down, ${recoveredAt - acceptingAt} ms to recover): ` +
          `${clean} clean failures (503 + Retry-After), ${unclean.length} unclean failures`,
      );
      for (const [kind, n] of uncleanKinds(samples)) t.diagnostic(`unclean ×${n}: ${kind}`);
      assert.ok(clean > 0, "no request met the outage");
      assert.deepEqual(
        unclean.slice(0, 3).map((s) => `${s.kind}: ${s.detail}`),
        [],
        `${unclean.length} unclean failures`,
      );
    });

    it("serves again by itself, without a restart, soon after PostgreSQL accepts connections", async (t) => {
      t.diagnostic(
        `first success ${recoveredAt - acceptingAt} ms after PostgreSQL accepted connections`,
      );
      assert.ok(recoveredAt > 0, `no success within ${RECOVERY_BOUND_MS} ms of the restart`);
      const settled = load!.samples.filter((s) => s.sentAt >= recoveredAt + 500);
      assert.ok(settled.length > 0, "no request was sent after the recovery");
      assert.deepEqual(
        settled
          .filter((s) => s.verdict !== "ok")
          .slice(0, 3)
          .map((s) => `${s.kind}: ${s.detail ?? s.result?.status}`),
        [],
        "requests still fail after the recovery",
      );
      assert.equal((await request(`${service!.url}/readyz`)).status, 200);
    });

    it("keeps every mutation answered with success, and leaves every one answered with an error absent or whole", (t) => {
      const answeredWithError = load!.mutations.filter((m) => m.verdict !== "ok").length;
      t.diagnostic(
        `${check.checked} mutations checked after the restart (${answeredWithError} answered with an error): ` +
          `${check.presentAfterSuccess} present after success, ${check.absentAfterError} absent and ` +
          `${check.wholeAfterError} whole after an error; ${check.secretsVerified} private keys still authenticate`,
      );
      assert.ok(answeredWithError > 0, "no mutation met the outage");
      assert.deepEqual(check.violations.slice(0, 5), [], `${check.violations.length} violations`);
    });

    it("logs the outage once and its end once, not a line per failed request", (t) => {
      const lines = service!.logs.slice(logsBefore);
      const unreachable = lines.filter((line) => line.includes("database unreachable"));
      const back = lines.filter((line) => line.includes("database reachable again"));
      const errors = lines.filter((line) => line.includes('"level":50'));
      const warnings = lines.filter((line) => line.includes('"level":40'));
      t.diagnostic(
        `${lines.length} log lines during the load (one access line per request): ` +
          `${warnings.length} warnings (${unreachable.length} "database unreachable"), ` +
          `${back.length} "reachable again", ${errors.length} errors`,
      );
      if (back[0]) t.diagnostic(back[0]);
      assert.equal(unreachable.length, 1);
      assert.equal(back.length, 1);
      assert.deepEqual(errors.slice(0, 2), []);
      // The outage, and the key-change channel going away: nothing per request.
      assert.ok(warnings.length <= 3, warnings.join("\n"));
    });
  },
);

/** The earliest answered success among the requests sent at or after `since`. */
function firstSuccessSentAfter(samples: readonly Sample[], since: number): Sample | undefined {
  let first: Sample | undefined;
  for (const s of samples) {
    if (s.verdict !== "ok" || s.sentAt < since) continue;
    if (!first || s.answeredAt < first.answeredAt) first = s;
  }
  return first;
}
