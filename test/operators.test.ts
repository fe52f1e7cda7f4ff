import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { Client } from "./support/client";
import { accessToken, basic, oauthPost } from "./support/oauth";
import { request } from "./support/http";
import { registeredSecrets, registerSecret } from "./support/leaks";
import { Seed, unique } from "./support/seed";
import { startTestService, TEST_SECRET, type TestService } from "./support/service";

const ROOT = path.join(__dirname, "..", "..");
const BOOTSTRAP = path.join(__dirname, "..", "src", "users", "bootstrap-cli.js");
const MAIN = path.join(__dirname, "..", "src", "main.js");

describe("closed sign-up and the bootstrap command", () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ ALLOW_SIGNUP: "false" });
  });
  after(() => service.stop());

  it("refuses signUp when ALLOW_SIGNUP=false", async () => {
    const result = await service.client.raw(
      `mutation { signUp(input: { email: "x@example.test", password: "long enough", name: "X" }) { token } }`,
    );
    assert.equal(result.errors?.[0].extensions?.code, "FORBIDDEN");
  });

  it("creates the first owner with a password from stdin, who can then sign in and own the organization", async () => {
    const email = `${unique("founder")}@example.test`;
    const password = `bootstrap-${unique("pw")}`;
    registerSecret(password);
    const run = (input: string) =>
      spawnSync(process.execPath, [BOOTSTRAP, "--email", email, "--organization", "Founders"], {
        input,
        encoding: "utf8",
        env: {
          PATH: process.env.PATH,
          DATABASE_URL: process.env.TEST_DATABASE_URL,
          KEYFOB_SECRET: TEST_SECRET,
        },
      });
    const created = run(password + "\n");
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stdout, /ORG_OWNER of "Founders"/);
    assert.ok(!created.stdout.includes(password) && !created.stderr.includes(password));

    const { logIn } = await service.client.query(
      `mutation ($input: LogInInput!) { logIn(input: $input) { token userErrors { code } } }`,
      { input: { email, password } },
    );
    const owner = new Client(service.url, { kind: "bearer", token: logIn.token });
    const { organizations } = await owner.query(
      `{ organizations { edges { node { name viewerRoles } } } }`,
    );
    assert.deepEqual(organizations.edges, [
      { node: { name: "Founders", viewerRoles: ["ORG_OWNER"] } },
    ]);

    const again = run(password + "\n");
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already exists/);
  });

  it("explains its usage and refuses a short password", () => {
    const usage = spawnSync(process.execPath, [BOOTSTRAP], { encoding: "utf8" });
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /--email EMAIL --organization NAME/);
    const short = spawnSync(
      process.execPath,
      [BOOTSTRAP, "--email", "short@example.test", "--organization", "X"],
      {
        encoding: "utf8",
        env: {
          PATH: process.env.PATH,
          DATABASE_URL: process.env.TEST_DATABASE_URL,
          KEYFOB_SECRET: TEST_SECRET,
          KEYFOB_BOOTSTRAP_PASSWORD: "short",
        },
      },
    );
    assert.equal(short.status, 1);
    assert.match(short.stderr, /8 to 256 characters/);
  });
});

describe("logs", () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ LOG_LEVEL: "debug" });
  });
  after(() => service.stop());

  it("write one access line per request, with the principal and client address, and never a secret", async () => {
    const seed = new Seed(service.client);
    const owner = await seed.user();
    const org = await owner.organization();
    const key = await org.apiKey({ roles: ["ORG_OWNER"] });
    await key.client.query(`{ viewer { __typename } }`);
    // A rotated secret, used during its grace period and after, is a secret like any other.
    const rotated = await key.rotate({ gracePeriodSeconds: 60 });
    await rotated.client.query(`{ viewer { __typename } }`);
    await key.client.query(`{ viewer { __typename } }`);
    assert.ok(registeredSecrets().includes(rotated.privateKey), "the rotated secret is watched");
    await service.client.raw(
      `{ viewer { __typename } }`,
      {},
      { headers: { authorization: `Bearer ${owner.token}x` } },
    );
    await service.client.raw(`mutation ($input: LogInInput!) { logIn(input: $input) { token } }`, {
      input: { email: owner.email, password: `${owner.password}-wrong` },
    });
    registerSecret(`${owner.password}-wrong`);
    const failing = service.client.as({
      kind: "apiKey",
      publicKey: key.publicKey,
      privateKey: `${key.privateKey.slice(0, -1)}0`,
    });
    await failing.raw(`{ viewer { __typename } }`);
    // OAuth: tokens obtained, used, refused with a typo, one revoked; a wrong client secret.
    // The kept one stays in the database for the pg_dump check below.
    const { token: oauthToken } = await accessToken(service.url, key);
    const { token: revokedToken } = await accessToken(service.url, key);
    await service.client
      .as({ kind: "bearer", token: oauthToken })
      .query(`{ viewer { __typename } }`);
    await service.client.as({ kind: "bearer", token: `${oauthToken}x` }).raw(`{ __typename }`);
    await oauthPost(service.url, "/oauth/token", {
      form: {
        grant_type: "client_credentials",
        client_id: key.publicKey,
        client_secret: `${key.privateKey.slice(0, -1)}0`,
      },
    });
    await oauthPost(service.url, "/oauth/revoke", {
      form: { token: revokedToken },
      authorization: basic(key.publicKey, key.privateKey),
    });
    assert.ok(registeredSecrets().includes(oauthToken), "the access token is watched");

    const lines = service.logs.map((line) => JSON.parse(line));
    const access = lines.filter((line) => line.msg === "request");
    const keyLine = access.find((line) => line.principal?.kind === "apiKey");
    assert.ok(keyLine, "an access line for the key's request");
    for (const field of ["method", "path", "status", "durationMs", "requestId", "clientAddress"]) {
      assert.ok(field in keyLine, `access lines carry ${field}`);
    }
    assert.equal(keyLine.clientAddress, "127.0.0.1");
    assert.ok(
      access.some((line) => line.status === 401),
      "refused requests are logged too",
    );

    const text = service.logs.join("\n");
    const secrets = [
      ...registeredSecrets(),
      key.privateKey,
      rotated.privateKey,
      owner.token,
      owner.password,
      oauthToken,
      revokedToken,
    ];
    for (const secret of secrets) assert.ok(!text.includes(secret), `a secret is in the log`);
    assert.doesNotMatch(text, /authorization/i, "no Authorization header is logged");
    assert.doesNotMatch(text, /Basic [A-Za-z0-9+/=]{20,}|Bearer kf[sa]_|kfa_[A-Za-z0-9_-]{20}/);
  });

  it("keep every password, token (OAuth access tokens included) and private key, rotated ones included, out of the database too (pg_dump)", () => {
    const dump = execFileSync("pg_dump", ["--data-only", process.env.TEST_DATABASE_URL!], {
      encoding: "utf8",
      maxBuffer: 512 * 1024 * 1024,
    });
    const leaked = registeredSecrets().filter(
      (secret) => secret !== TEST_SECRET && dump.includes(secret),
    );
    assert.deepEqual(leaked.length, 0, "a password, token or private key is stored in clear");
  });

  it("keep them, and every stored digest or password hash, out of the audit trail (pg_dump of events)", () => {
    const url = process.env.TEST_DATABASE_URL!;
    const events = execFileSync("pg_dump", ["--data-only", "--table=events", url], {
      encoding: "utf8",
      maxBuffer: 512 * 1024 * 1024,
    });
    assert.match(events, /API_KEY_SECRET_ROTATED/, "the rotations above were recorded");
    const stored = execFileSync(
      "psql",
      [
        url,
        "-Atc",
        `SELECT encode(digest, 'hex') FROM api_key_secrets
         UNION ALL SELECT encode(token_digest, 'hex') FROM sessions
         UNION ALL SELECT password_hash FROM users`,
      ],
      { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 },
    )
      .split("\n")
      .filter(Boolean);
    assert.ok(stored.length > 0);
    const leaked = [...registeredSecrets(), ...stored].filter(
      (secret) => secret !== TEST_SECRET && events.includes(secret),
    );
    assert.deepEqual(leaked.length, 0, "a secret, digest or password hash is in the audit trail");
  });
});

describe("the access log of a running process", () => {
  it("is written asynchronously, and SIGTERM writes out every line still buffered", async (t) => {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "production",
        DATABASE_URL: process.env.TEST_DATABASE_URL,
        KEYFOB_SECRET: TEST_SECRET,
        PORT: "0",
        LOG_LEVEL: "info",
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`did not start:\n${stdout}${stderr}`)),
          60_000,
        );
        child.stdout.on("data", () => {
          const match = /keyfob is listening on (http:\/\/[^ ]+) /.exec(stdout);
          if (match) resolve(match[1]);
          if (match) clearTimeout(timer);
        });
        void exited.then((code) => reject(new Error(`exited with ${code}:\n${stdout}${stderr}`)));
      });
      const ids = Array.from({ length: 30 }, (_, i) => `flush-${i}-${randomUUID().slice(0, 8)}`);
      const responses = await Promise.all(
        ids.map((id) =>
          request(`${url}/graphql`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-request-id": id },
            body: JSON.stringify({ query: "query LogFlush { __typename }" }),
          }),
        ),
      );
      assert.deepEqual(
        responses.map((response) => response.status),
        ids.map(() => 200),
      );
      const writtenBeforeStop = ids.filter((id) => stdout.includes(id)).length;
      child.kill("SIGTERM");
      assert.equal(await exited, 0, stderr);

      const access = stdout
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line))
        .filter((line) => line.msg === "request");
      for (const id of ids) {
        const line = access.find((candidate) => candidate.requestId === id);
        assert.ok(line, `the access line of request ${id} is on stdout`);
        assert.equal(line.status, 200);
      }
      assert.ok(!stdout.includes(TEST_SECRET));
      t.diagnostic(
        `${ids.length - writtenBeforeStop} of ${ids.length} access lines were still buffered at SIGTERM`,
      );
    } finally {
      child.kill("SIGKILL");
    }
  });
});

describe("container files", () => {
  it("docker-compose.yml is valid (docker-compose config)", (t) => {
    const probe = spawnSync("docker-compose", ["version"], { encoding: "utf8" });
    if (probe.error)
      return t.skip("docker-compose is not installed (apt-get install docker-compose)");
    const result = spawnSync(
      "docker-compose",
      ["-f", path.join(ROOT, "docker-compose.yml"), "config", "-q"],
      {
        encoding: "utf8",
        env: { ...process.env, KEYFOB_SECRET: "x".repeat(48) },
      },
    );
    assert.equal(result.status, 0, result.stderr);
  });

  it("the image starts the service with the README's command", () => {
    const dockerfile = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    assert.match(dockerfile, /^CMD \["npm", "start"\]$/m);
    assert.match(dockerfile, /^HEALTHCHECK[\s\S]*\/readyz/m);
    assert.match(dockerfile, /^USER node$/m);
    assert.match(readme, /npm ci && npm start/);
  });
});
