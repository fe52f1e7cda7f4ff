import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, loadConfig, type Config } from "./config";

const SECRET = "s".repeat(32);
const METRICS_TOKEN = "m".repeat(32);
const DATABASE_URL = "postgres://keyfob:keyfob@localhost:5432/keyfob";

/** The problems `loadConfig` reports for `env`; fails the test if it accepts `env`. */
function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail(`expected ${JSON.stringify(env)} to be rejected`);
}

/** Asserts that exactly the named settings are reported, once each. */
function assertProblemsName(env: Record<string, string | undefined>, settings: string[]) {
  const problems = problemsOf(env);
  const named = problems.map((problem) => problem.split(/[ .]/, 1)[0]).sort();
  assert.deepEqual(named, [...settings].sort(), problems.join("\n"));
}

describe("loadConfig defaults", () => {
  it("an empty environment gives a development configuration on 127.0.0.1:4000", () => {
    assert.deepEqual<Config>(loadConfig({}), {
      nodeEnv: "development",
      databaseUrl: undefined,
      port: 4000,
      host: "127.0.0.1",
      trustProxy: [],
      secret: undefined,
      logLevel: "info",
      dataDir: ".keyfob",
      allowSignup: true,
      maxApiKeysPerOrganization: 500,
      redisUrl: undefined,
      metricsPort: undefined,
      metricsHost: "127.0.0.1",
      metricsToken: undefined,
      eventRetentionDays: 365,
      oauthTokenTtlSeconds: 3600,
      publicUrl: undefined,
    });
  });

  it("ignores variables it does not know", () => {
    assert.deepEqual(loadConfig({ PATH: "/usr/bin", HOME: "/root", PORT_X: "x" }), loadConfig({}));
  });

  it("treats empty strings as unset", () => {
    const everySettingEmpty = Object.fromEntries(
      [
        "NODE_ENV",
        "DATABASE_URL",
        "PORT",
        "HOST",
        "TRUST_PROXY",
        "KEYFOB_SECRET",
        "LOG_LEVEL",
        "KEYFOB_DATA_DIR",
        "ALLOW_SIGNUP",
        "MAX_API_KEYS_PER_ORGANIZATION",
        "REDIS_URL",
        "METRICS_PORT",
        "METRICS_HOST",
        "METRICS_TOKEN",
        "EVENT_RETENTION_DAYS",
        "OAUTH_TOKEN_TTL_SECONDS",
        "PUBLIC_URL",
      ].map((name) => [name, ""]),
    );
    assert.deepEqual(loadConfig(everySettingEmpty), loadConfig({}));
  });

  it("treats undefined values as unset", () => {
    assert.deepEqual(loadConfig({ PORT: undefined, DATABASE_URL: undefined }), loadConfig({}));
  });

  it("returns a frozen configuration", () => {
    const config = loadConfig({ TRUST_PROXY: "10.0.0.1" });
    assert.equal(Object.isFrozen(config), true);
    assert.equal(Object.isFrozen(config.trustProxy), true);
  });
});

describe("loadConfig reads every setting", () => {
  it("takes each setting from its variable", () => {
    assert.deepEqual<Config>(
      loadConfig({
        NODE_ENV: "production",
        DATABASE_URL,
        PORT: "8080",
        HOST: "0.0.0.0",
        TRUST_PROXY: "10.0.0.0/8",
        KEYFOB_SECRET: SECRET,
        LOG_LEVEL: "debug",
        KEYFOB_DATA_DIR: "/var/lib/keyfob",
        ALLOW_SIGNUP: "false",
        MAX_API_KEYS_PER_ORGANIZATION: "20",
        REDIS_URL: "redis://localhost:6379",
        METRICS_PORT: "9464",
        METRICS_HOST: "10.0.0.5",
        METRICS_TOKEN: METRICS_TOKEN,
        EVENT_RETENTION_DAYS: "30",
        OAUTH_TOKEN_TTL_SECONDS: "900",
        PUBLIC_URL: "https://keyfob.example.com/",
      }),
      {
        nodeEnv: "production",
        databaseUrl: DATABASE_URL,
        port: 8080,
        host: "0.0.0.0",
        trustProxy: ["10.0.0.0/8"],
        secret: SECRET,
        logLevel: "debug",
        dataDir: "/var/lib/keyfob",
        allowSignup: false,
        maxApiKeysPerOrganization: 20,
        redisUrl: "redis://localhost:6379",
        metricsPort: 9464,
        metricsHost: "10.0.0.5",
        metricsToken: METRICS_TOKEN,
        eventRetentionDays: 30,
        oauthTokenTtlSeconds: 900,
        publicUrl: "https://keyfob.example.com",
      },
    );
  });

  it("keeps events 1 to 36500 days and refuses anything else", () => {
    assert.equal(loadConfig({ EVENT_RETENTION_DAYS: "1" }).eventRetentionDays, 1);
    assert.equal(loadConfig({ EVENT_RETENTION_DAYS: "36500" }).eventRetentionDays, 36_500);
    for (const days of ["0", "36501", "-1", "1.5", "forever", "99999999"]) {
      assertProblemsName({ EVENT_RETENTION_DAYS: days }, ["EVENT_RETENTION_DAYS"]);
    }
  });

  it("takes OAuth token lifetimes from 1 s to a day, and http(s) public URLs", () => {
    for (const ttl of ["0", "86401", "1h", "-5"]) {
      assertProblemsName({ OAUTH_TOKEN_TTL_SECONDS: ttl }, ["OAUTH_TOKEN_TTL_SECONDS"]);
    }
    assert.equal(loadConfig({ OAUTH_TOKEN_TTL_SECONDS: "1" }).oauthTokenTtlSeconds, 1);
    for (const url of ["ftp://keyfob.example.com", "keyfob.example.com", "https://x.test/?a=1"]) {
      assertProblemsName({ PUBLIC_URL: url }, ["PUBLIC_URL"]);
    }
  });

  it("accepts postgres:// and postgresql:// database URLs and nothing else", () => {
    assert.equal(loadConfig({ DATABASE_URL }).databaseUrl, DATABASE_URL);
    assert.equal(
      loadConfig({ DATABASE_URL: "postgresql://db/keyfob" }).databaseUrl,
      "postgresql://db/keyfob",
    );
    for (const url of ["mysql://db/keyfob", "http://db/keyfob", "localhost:5432", "not a url"]) {
      assertProblemsName({ DATABASE_URL: url }, ["DATABASE_URL"]);
    }
  });

  it("accepts redis:// and rediss:// URLs and nothing else", () => {
    assert.equal(loadConfig({ REDIS_URL: "rediss://cache:6380" }).redisUrl, "rediss://cache:6380");
    for (const url of ["http://cache", "cache:6379"]) {
      assertProblemsName({ REDIS_URL: url }, ["REDIS_URL"]);
    }
  });

  it("accepts ports from 0 to 65535 and rejects anything else", () => {
    assert.equal(loadConfig({ PORT: "0" }).port, 0);
    assert.equal(loadConfig({ PORT: "65535" }).port, 65535);
    for (const port of ["65536", "-1", "80.5", "http", "4000abc"]) {
      assertProblemsName({ PORT: port }, ["PORT"]);
    }
  });

  it("rejects a port of only whitespace instead of listening on a random port", () => {
    assertProblemsName({ PORT: " " }, ["PORT"]);
    assertProblemsName({ PORT: "0x10" }, ["PORT"]);
  });

  it("reads ALLOW_SIGNUP as true/false, 1/0 or yes/no", () => {
    for (const value of ["true", "1", "yes"])
      assert.equal(loadConfig({ ALLOW_SIGNUP: value }).allowSignup, true);
    for (const value of ["false", "0", "no"])
      assert.equal(loadConfig({ ALLOW_SIGNUP: value }).allowSignup, false);
    for (const value of ["TRUE", "on", "maybe"])
      assertProblemsName({ ALLOW_SIGNUP: value }, ["ALLOW_SIGNUP"]);
  });

  it("bounds MAX_API_KEYS_PER_ORGANIZATION between 1 and 100000", () => {
    assert.equal(loadConfig({ MAX_API_KEYS_PER_ORGANIZATION: "1" }).maxApiKeysPerOrganization, 1);
    assert.equal(
      loadConfig({ MAX_API_KEYS_PER_ORGANIZATION: "100000" }).maxApiKeysPerOrganization,
      100_000,
    );
    for (const value of ["0", "100001", "2.5", "many"]) {
      assertProblemsName({ MAX_API_KEYS_PER_ORGANIZATION: value }, [
        "MAX_API_KEYS_PER_ORGANIZATION",
      ]);
    }
  });

  it("rejects an unknown NODE_ENV or LOG_LEVEL", () => {
    assertProblemsName({ NODE_ENV: "staging" }, ["NODE_ENV"]);
    assertProblemsName({ LOG_LEVEL: "verbose" }, ["LOG_LEVEL"]);
  });
});

describe("loadConfig reports every problem at once", () => {
  it("lists a bad PORT and a bad DATABASE_URL together", () => {
    assertProblemsName({ PORT: "http", DATABASE_URL: "mysql://db" }, ["PORT", "DATABASE_URL"]);
  });

  it("lists a problem for each bad setting, naming the setting", () => {
    assertProblemsName(
      {
        NODE_ENV: "staging",
        DATABASE_URL: "mysql://db",
        PORT: "99999",
        TRUST_PROXY: "proxy.internal",
        KEYFOB_SECRET: "short",
        LOG_LEVEL: "loud",
        ALLOW_SIGNUP: "perhaps",
        MAX_API_KEYS_PER_ORGANIZATION: "0",
        REDIS_URL: "memcached://cache",
      },
      [
        "NODE_ENV",
        "DATABASE_URL",
        "PORT",
        "TRUST_PROXY",
        "KEYFOB_SECRET",
        "LOG_LEVEL",
        "ALLOW_SIGNUP",
        "MAX_API_KEYS_PER_ORGANIZATION",
        "REDIS_URL",
      ],
    );
  });

  it("puts every problem in the error message", () => {
    try {
      loadConfig({ PORT: "http", DATABASE_URL: "mysql://db" });
      assert.fail("expected a ConfigError");
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.name, "ConfigError");
      for (const problem of error.problems) assert.ok(error.message.includes(problem), problem);
    }
  });

  it("never echoes a rejected secret", () => {
    const secret = "too-short-but-still-secret";
    const problems = problemsOf({ KEYFOB_SECRET: secret });
    assert.equal(problems.join("\n").includes(secret), false);
  });

  it("lists a missing KEYFOB_SECRET together with other problems", () => {
    assertProblemsName({ NODE_ENV: "production", DATABASE_URL, PORT: "http" }, [
      "PORT",
      "KEYFOB_SECRET",
    ]);
  });
});

describe("KEYFOB_SECRET", () => {
  it("is required when NODE_ENV=production and DATABASE_URL is set", () => {
    assertProblemsName({ NODE_ENV: "production", DATABASE_URL }, ["KEYFOB_SECRET"]);
  });

  it("is required in production even when set to the empty string", () => {
    assertProblemsName({ NODE_ENV: "production", DATABASE_URL, KEYFOB_SECRET: "" }, [
      "KEYFOB_SECRET",
    ]);
  });

  it("is optional in production with the embedded database", () => {
    assert.equal(loadConfig({ NODE_ENV: "production" }).secret, undefined);
  });

  it("is optional outside production", () => {
    assert.equal(loadConfig({ NODE_ENV: "development", DATABASE_URL }).secret, undefined);
    assert.equal(loadConfig({ NODE_ENV: "test", DATABASE_URL }).secret, undefined);
  });

  it("must be at least 32 characters", () => {
    assert.equal(loadConfig({ KEYFOB_SECRET: SECRET }).secret, SECRET);
    assertProblemsName({ KEYFOB_SECRET: SECRET.slice(1) }, ["KEYFOB_SECRET"]);
  });
});

describe("TRUST_PROXY", () => {
  it("is empty, so X-Forwarded-For is ignored, when unset", () => {
    assert.deepEqual(loadConfig({}).trustProxy, []);
  });

  it("accepts IPv4 and IPv6 addresses", () => {
    assert.deepEqual(loadConfig({ TRUST_PROXY: "10.0.0.1" }).trustProxy, ["10.0.0.1"]);
    assert.deepEqual(loadConfig({ TRUST_PROXY: "::1" }).trustProxy, ["::1"]);
    assert.deepEqual(loadConfig({ TRUST_PROXY: "2001:db8::42" }).trustProxy, ["2001:db8::42"]);
    assert.deepEqual(loadConfig({ TRUST_PROXY: "::ffff:10.0.0.1" }).trustProxy, [
      "::ffff:10.0.0.1",
    ]);
  });

  it("accepts IPv4 and IPv6 CIDR blocks", () => {
    assert.deepEqual(loadConfig({ TRUST_PROXY: "10.0.0.0/8" }).trustProxy, ["10.0.0.0/8"]);
    assert.deepEqual(loadConfig({ TRUST_PROXY: "0.0.0.0/0" }).trustProxy, ["0.0.0.0/0"]);
    assert.deepEqual(loadConfig({ TRUST_PROXY: "fd00::/8" }).trustProxy, ["fd00::/8"]);
    assert.deepEqual(loadConfig({ TRUST_PROXY: "2001:db8::/128" }).trustProxy, ["2001:db8::/128"]);
  });

  it("splits a comma-separated list, trimming spaces and skipping empty entries", () => {
    assert.deepEqual(loadConfig({ TRUST_PROXY: " 10.0.0.0/8 , ::1,,172.16.0.1, " }).trustProxy, [
      "10.0.0.0/8",
      "::1",
      "172.16.0.1",
    ]);
  });

  it("rejects entries that are neither an address nor a CIDR block", () => {
    for (const list of [
      "garbage",
      "localhost",
      "proxy.internal",
      "10.0.0.0/33",
      "::/129",
      "10.0.0.0/",
      "/8",
      "10.0.0.0/8/8",
      "256.0.0.1",
      "10.0.0.1.5",
      "10.0.0.0/x",
      "2001:db8:::1",
      "10.0.0.1;172.16.0.1",
      "10.0.0.1 172.16.0.1",
      "true",
      "*",
    ]) {
      assertProblemsName({ TRUST_PROXY: list }, ["TRUST_PROXY"]);
    }
  });

  it("rejects the whole list when one entry is garbage", () => {
    assertProblemsName({ TRUST_PROXY: "10.0.0.1, garbage, ::1" }, ["TRUST_PROXY"]);
  });

  it("rejects shorthand IPv4 forms that name a different address than they seem to", () => {
    for (const list of ["123", "10.1", "10.0.1", "0x0a000001"]) {
      assertProblemsName({ TRUST_PROXY: list }, ["TRUST_PROXY"]);
    }
  });
});
