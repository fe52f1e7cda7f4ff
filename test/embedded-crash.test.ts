import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, describe, it } from "node:test";
import { startChildService } from "./support/child-service";
import { Client } from "./support/client";
import { MixedLoad, seedLoadActors } from "./support/mixed-load";
import { checkMutations } from "./support/mutation-check";
import { uncleanKinds } from "./support/sampling";

/** How long a restart after a crash may take: PGlite's start on a shared machine, not the lock. */
const RESTART_BOUND_MS = 60_000;

describe("the embedded database killed with SIGKILL", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "keyfob-embedded-crash-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("starts again after a SIGKILL in the middle of writes, with every answered mutation whole", async (t) => {
    const first = await startChildService({ KEYFOB_DATA_DIR: dir });
    const load = new MixedLoad(await seedLoadActors(new Client(first.url), 3));
    load.start();
    await sleep(2_500);
    const midWrite = await load.mutationInFlight();
    const stopping = load.stop();
    await first.kill();
    await stopping;

    // The dead process's lock is still there, refreshed a moment ago: the restart takes it over.
    const again = await startChildService({ KEYFOB_DATA_DIR: dir }, RESTART_BOUND_MS);
    try {
      assert.match(
        again.output(),
        new RegExp(`\\(pid ${first.child.pid}\\) did not stop cleanly: took over its lock`),
      );
      const owner = new Client(again.url, load.actors.owner.client.credentials);
      const check = await checkMutations(owner, load.mutations);
      const unanswered = load.mutations.filter((m) => m.verdict === "unclean").length;
      t.diagnostic(
        `${load.samples.length} requests, then SIGKILL ${midWrite ? "with a mutation in flight" : "between mutations"}; ` +
          `restarted in ${again.startedInMs} ms (first start: ${first.startedInMs} ms). ${check.checked} mutations checked ` +
          `(${unanswered} unanswered): ${check.presentAfterSuccess} present after success, ${check.absentAfterError} absent ` +
          `and ${check.wholeAfterError} whole without an answer; ${check.secretsVerified} private keys still authenticate`,
      );
      for (const [kind, n] of uncleanKinds(load.samples)) t.diagnostic(`unanswered ×${n}: ${kind}`);
      assert.ok(check.presentAfterSuccess > 0, "no mutation succeeded before the kill");
      assert.deepEqual(check.violations.slice(0, 5), [], `${check.violations.length} violations`);
    } finally {
      assert.equal(await again.stop(), 0);
    }
  });
});
