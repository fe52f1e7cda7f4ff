import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "./config";
import { metricsExposure } from "./metrics/metrics.route";

const TOKEN = "0123456789abcdef0123456789abcdef";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail(`expected ${JSON.stringify(env)} to be rejected`);
}

describe("METRICS_PORT, METRICS_HOST and METRICS_TOKEN", () => {
  it("serve /metrics openly on the public port outside production", () => {
    assert.deepEqual(metricsExposure(loadConfig({})), { kind: "public", token: undefined });
    assert.deepEqual(metricsExposure(loadConfig({ NODE_ENV: "test" })), {
      kind: "public",
      token: undefined,
    });
  });

  it("keep /metrics off in production unless a separate port or a token is set", () => {
    assert.deepEqual(metricsExposure(loadConfig({ NODE_ENV: "production" })), { kind: "off" });
    assert.deepEqual(
      metricsExposure(loadConfig({ NODE_ENV: "production", METRICS_TOKEN: TOKEN })),
      { kind: "public", token: TOKEN },
    );
    assert.deepEqual(
      metricsExposure(loadConfig({ NODE_ENV: "production", METRICS_PORT: "9464" })),
      { kind: "separate", host: "127.0.0.1", port: 9464, token: undefined },
    );
  });

  it("move /metrics to METRICS_HOST:METRICS_PORT, still asking for the token when one is set", () => {
    const config = loadConfig({
      METRICS_PORT: "9464",
      METRICS_HOST: "0.0.0.0",
      METRICS_TOKEN: TOKEN,
    });
    assert.deepEqual(metricsExposure(config), {
      kind: "separate",
      host: "0.0.0.0",
      port: 9464,
      token: TOKEN,
    });
  });

  it("reject a METRICS_PORT that is not a port or is the public port", () => {
    assert.match(problemsOf({ METRICS_PORT: "65536" }).join(), /^METRICS_PORT must be a port/);
    assert.deepEqual(problemsOf({ PORT: "8080", METRICS_PORT: "8080" }), [
      "METRICS_PORT must differ from PORT",
    ]);
    assert.deepEqual(problemsOf({ METRICS_PORT: "4000" }), ["METRICS_PORT must differ from PORT"]);
    assert.equal(loadConfig({ PORT: "0", METRICS_PORT: "0" }).metricsPort, 0);
  });

  it("reject METRICS_HOST without METRICS_PORT, which would silently do nothing", () => {
    assert.deepEqual(problemsOf({ METRICS_HOST: "0.0.0.0" }), [
      "METRICS_HOST needs METRICS_PORT (without it, /metrics is on the public port)",
    ]);
  });

  it("reject a short or spaced METRICS_TOKEN without echoing it", () => {
    for (const token of ["short-token", `${TOKEN} with spaces`]) {
      const problems = problemsOf({ METRICS_TOKEN: token });
      assert.equal(problems.length, 1);
      assert.match(problems[0], /^METRICS_TOKEN /);
      assert.ok(!problems[0].includes(token));
    }
  });
});
