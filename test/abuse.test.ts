import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { THROTTLE } from "../src/auth/throttle";
import { Client } from "./support/client";
import { request } from "./support/http";
import { Seed, unique, type OrganizationFixture } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const LOG_IN = `mutation ($input: LogInInput!) { logIn(input: $input) { token userErrors { code } } }`;
const VIEWER = `{ viewer { __typename } }`;

function wrongKey(publicKey: string): Client["credentials"] {
  return { kind: "apiKey", publicKey, privateKey: "00000000-0000-4000-8000-000000000000" };
}

describe("brute-force throttling", () => {
  let service: TestService;
  let seed: Seed;
  let org: OrganizationFixture;
  before(async () => {
    service = await startTestService();
    seed = new Seed(service.client);
    org = await (await seed.user()).organization();
  });
  after(() => service.stop());

  it("answers repeated wrong passwords for one email with 429 and Retry-After, then refuses even the right one", async () => {
    const user = await seed.user();
    const guess = { input: { email: user.email, password: "wrong password" } };
    for (let i = 0; i < THROTTLE.failuresPerSubject; i++) {
      const result = await service.client.raw(LOG_IN, guess, { localAddress: "127.0.0.20" });
      assert.equal(result.status, 200);
    }
    const throttled = await service.client.raw(LOG_IN, guess, { localAddress: "127.0.0.20" });
    assert.equal(throttled.status, 429);
    assert.equal(throttled.errors?.[0].extensions?.code, "TOO_MANY_REQUESTS");
    assert.ok(Number(throttled.headers["retry-after"]) > 0);
    const right = await service.client.raw(
      LOG_IN,
      { input: { email: user.email, password: user.password } },
      { localAddress: "127.0.0.21" },
    );
    assert.equal(right.status, 429, "the account is protected from every address while blocked");

    const other = await seed.user();
    const unaffected = await service.client.mutate(
      LOG_IN,
      { input: { email: other.email, password: other.password } },
      { localAddress: "127.0.0.20" },
    );
    assert.ok(unaffected.token, "another account from the same address is not slowed");
  });

  it("answers repeated wrong private keys for one public key with 429", async () => {
    const key = await org.apiKey();
    const guesser = service.client.as(wrongKey(key.publicKey));
    for (let i = 0; i < THROTTLE.failuresPerSubject; i++) {
      assert.equal((await guesser.raw(VIEWER, {}, { localAddress: "127.0.0.22" })).status, 401);
    }
    const crossing = await guesser.raw(VIEWER, {}, { localAddress: "127.0.0.22" });
    assert.equal(crossing.status, 429);
    assert.ok(Number(crossing.headers["retry-after"]) > 0);
    assert.equal((await key.client.raw(VIEWER)).status, 429);
  });

  it("throttles an address that guesses many different keys", async () => {
    const address = "127.0.0.23";
    let status = 0;
    for (let i = 0; i < THROTTLE.failuresPerAddress + 1 && status !== 429; i++) {
      const publicKey = randomBytes(8)
        .toString("hex")
        .replace(/[^a-z]/g, "x")
        .slice(0, 8)
        .padEnd(8, "q");
      status = (
        await service.client.as(wrongKey(publicKey)).raw(VIEWER, {}, { localAddress: address })
      ).status;
    }
    assert.equal(status, 429);
    const key = await org.apiKey();
    assert.equal((await key.client.raw(VIEWER, {}, { localAddress: "127.0.0.24" })).status, 200);
  });

  it("does not slow down successful requests", async () => {
    const key = await org.apiKey();
    for (let i = 0; i < THROTTLE.failuresPerSubject * 2; i++) {
      assert.equal((await key.client.raw(VIEWER, {}, { localAddress: "127.0.0.25" })).status, 200);
    }
  });

  it("cannot multiply guesses with aliases or batches", async () => {
    const aliased = await service.client.raw(
      `mutation { a: logIn(input: { email: "a@example.test", password: "1" }) { token }
                  b: logIn(input: { email: "a@example.test", password: "2" }) { token } }`,
    );
    assert.equal(aliased.status, 400);
    assert.equal(aliased.errors?.[0].extensions?.code, "GRAPHQL_VALIDATION_FAILED");
    const batch = await request(`${service.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([
        { query: LOG_IN, variables: { input: { email: "a@example.test", password: "1" } } },
        { query: LOG_IN, variables: { input: { email: "a@example.test", password: "2" } } },
      ]),
    });
    assert.equal(batch.status, 400);
  });
});

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Whether a Redis answers at REDIS_URL; the shared-throttling test needs one. */
function redisAnswers(): Promise<boolean> {
  const { hostname, port } = new URL(REDIS_URL);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    socket.setTimeout(500);
    socket.on("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
    socket.on("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

describe("throttling shared through Redis", async () => {
  const available = await redisAnswers();
  let first: TestService;
  let second: TestService;
  before(async () => {
    if (!available) return;
    const env = { REDIS_URL };
    first = await startTestService(env);
    second = await startTestService(env);
  });
  after(async () => {
    await first?.stop();
    await second?.stop();
  });

  it(
    "counts failures on every instance against one limit",
    { skip: !available && `no Redis at ${REDIS_URL}` },
    async () => {
      const email = `${unique("shared")}@example.test`;
      const guess = { input: { email, password: "wrong password" } };
      const half = Math.ceil(THROTTLE.failuresPerSubject / 2);
      for (let i = 0; i < half; i++)
        await first.client.raw(LOG_IN, guess, { localAddress: "127.0.0.30" });
      for (let i = half; i < THROTTLE.failuresPerSubject; i++) {
        await second.client.raw(LOG_IN, guess, { localAddress: "127.0.0.31" });
      }
      const throttled = await first.client.raw(LOG_IN, guess, { localAddress: "127.0.0.32" });
      assert.equal(throttled.status, 429);
    },
  );
});
