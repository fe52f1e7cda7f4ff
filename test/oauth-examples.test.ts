import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { assertNoLeak } from "./support/leaks";
import { Seed, type KeyFixture } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const ROOT = path.join(__dirname, "..", "..");
const SCRIPT = path.join(ROOT, "examples", "oauth-client-credentials.sh");
const run = promisify(execFile);

/** The `curl` command lines of a text (each a whole line, as written). */
function curlLines(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => /(^|\()curl /.test(line) || line.startsWith("ACCESS_TOKEN=$(curl"));
}

describe("the OAuth curl commands of README.md and examples/ run as written", () => {
  let service: TestService;
  let key: KeyFixture;
  before(async () => {
    service = await startTestService();
    key = await (await (await new Seed(service.client).user()).organization()).apiKey();
  });
  after(() => service.stop());

  it("README.md and examples/README.md show the script's commands, character for character", () => {
    const script = curlLines(readFileSync(SCRIPT, "utf8"));
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = readme.slice(
      readme.indexOf("## Programmatic access with OAuth\n"),
      readme.indexOf("\n## ", readme.indexOf("## Programmatic access with OAuth\n") + 5),
    );
    const shown = curlLines(section);
    assert.equal(shown.length, 4, "discovery, token, call, revoke");
    for (const line of shown) assert.ok(script.includes(line), `the script runs: ${line}`);
    const examples = curlLines(readFileSync(path.join(ROOT, "examples", "README.md"), "utf8"));
    const oauth = examples.filter((line) => line.includes("$BASE"));
    assert.equal(oauth.length, 3);
    for (const line of oauth) assert.ok(script.includes(line), `the script runs: ${line}`);
  });

  it("discovers the endpoints, gets a token, calls viewer as the key, revokes the token", async () => {
    const { stdout, stderr } = await run("sh", [SCRIPT], {
      env: {
        PATH: process.env.PATH,
        BASE: service.url,
        PUBLIC_KEY: key.publicKey,
        PRIVATE_KEY: key.privateKey,
      },
    });
    assert.equal(stderr, "");
    const [metadata, viewer, revoked, status] = stdout.split("\n").filter((line) => line !== "");
    assert.equal(JSON.parse(metadata).token_endpoint, `${service.url}/oauth/token`);
    assert.deepEqual(JSON.parse(viewer), { data: { viewer: { publicKey: key.publicKey } } });
    assert.equal(revoked, "{}");
    assert.equal(status, "401", "the revoked token is refused");
    assertNoLeak(stdout);
  });
});
