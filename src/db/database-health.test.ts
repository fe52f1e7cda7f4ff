import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import pino from "pino";
import { QueryFailedError } from "typeorm";
import { DatabaseHealth } from "./database-health";

interface Line {
  level: number;
  msg: string;
  [field: string]: unknown;
}

function capture(level: pino.Level = "debug") {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) {
        lines.push(JSON.parse(line) as Line);
      }
      done();
    },
  });
  return { log: pino({ level }, sink), lines };
}

const refused = () =>
  Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), {
    code: "ECONNREFUSED",
  });

describe("DatabaseHealth", () => {
  it("logs the first connection failure once as a warning and counts the rest at debug level", () => {
    const { log, lines } = capture();
    const health = new DatabaseHealth(log, { probe: () => new Promise(() => {}) });
    for (let i = 0; i < 500; i++) assert.equal(health.failed(refused()), true);
    health.stop();
    const warnings = lines.filter((line) => line.level === 40);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].msg, /^database unreachable/);
    assert.deepEqual(warnings[0].reason, {
      code: "ECONNREFUSED",
      message: "connect ECONNREFUSED 127.0.0.1:5432",
    });
    assert.equal(lines.filter((line) => line.level > 30 && line.level !== 40).length, 0);
    assert.equal(health.reachable, false);
  });

  it("logs the end of an outage once, with its length and the requests that failed meanwhile", () => {
    const { log, lines } = capture("info");
    let now = 1_000;
    const health = new DatabaseHealth(log, { probe: () => new Promise(() => {}), now: () => now });
    health.failed(refused());
    health.failed(refused(), "background");
    health.failed(refused());
    now = 4_250;
    health.succeeded(health.startRoundTrip());
    health.succeeded(health.startRoundTrip());
    health.stop();
    const ended = lines.filter((line) => /reachable again/.test(line.msg));
    assert.equal(ended.length, 1);
    assert.equal(ended[0].level, 30);
    assert.equal(ended[0].outageMs, 3_250);
    assert.equal(ended[0].failedRequests, 2);
    assert.equal(ended[0].failedBackgroundTasks, 1);
    assert.equal(health.reachable, true);
  });

  it("does not take a round trip sent before the outage was noticed for its end", () => {
    const { log, lines } = capture("info");
    let now = 1_000;
    const health = new DatabaseHealth(log, { probe: () => new Promise(() => {}), now: () => now });
    const sentBefore = health.startRoundTrip();
    now = 1_010;
    health.failed(refused());
    now = 1_020;
    // Its connection had not been cut yet: it answers after the outage began.
    health.succeeded(sentBefore);
    assert.equal(health.reachable, false);
    health.failed(refused());
    const sentAfter = health.startRoundTrip();
    now = 1_500;
    health.succeeded(sentAfter);
    health.stop();
    assert.equal(health.reachable, true);
    assert.equal(lines.filter((line) => /^database unreachable/.test(line.msg)).length, 1);
    const ended = lines.filter((line) => /reachable again/.test(line.msg));
    assert.equal(ended.length, 1);
    assert.equal(ended[0].outageMs, 490);
  });

  it("ignores errors that are not connection failures and logs nothing for them", () => {
    const { log, lines } = capture();
    const health = new DatabaseHealth(log, { probe: async () => {} });
    const duplicate = Object.assign(new Error("duplicate key value"), { code: "23505" });
    assert.equal(health.failed(new QueryFailedError("INSERT", [], duplicate)), false);
    assert.equal(health.failed(new TypeError("undefined is not a function")), false);
    health.succeeded(health.startRoundTrip());
    assert.deepEqual(lines, []);
    assert.equal(health.reachable, true);
  });

  it("logs neither the SQL nor the parameters of a failed statement", () => {
    const { log, lines } = capture();
    const health = new DatabaseHealth(log, { probe: () => new Promise(() => {}) });
    const lost = new Error("Connection terminated unexpectedly");
    health.failed(new QueryFailedError("INSERT INTO sessions VALUES ($1)", ["digest-abc"], lost));
    health.stop();
    const text = JSON.stringify(lines);
    assert.doesNotMatch(text, /INSERT INTO|digest-abc/);
    assert.match(text, /Connection terminated unexpectedly/);
  });

  it("probes while the database is down, one probe at a time, and ends the outage when one answers", async () => {
    const { log, lines } = capture("info");
    let probes = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const health = new DatabaseHealth(log, {
      probeIntervalMs: 2,
      probe: async () => {
        probes += 1;
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(5);
        inFlight -= 1;
        if (probes < 4) throw refused();
      },
    });
    health.failed(refused());
    for (let i = 0; i < 20; i++) health.failed(refused());
    const started = Date.now();
    while (!health.reachable && Date.now() - started < 2_000) await sleep(5);
    health.stop();
    assert.equal(health.reachable, true);
    assert.equal(probes, 4);
    assert.equal(maxInFlight, 1);
    assert.equal(lines.filter((line) => /reachable again/.test(line.msg)).length, 1);
  });

  it("opens a new outage, with its own warning, when the database goes away again", () => {
    const { log, lines } = capture("info");
    const health = new DatabaseHealth(log, { probe: () => new Promise(() => {}) });
    health.failed(refused());
    health.succeeded(health.startRoundTrip());
    health.failed(refused());
    health.stop();
    assert.equal(lines.filter((line) => /^database unreachable/.test(line.msg)).length, 2);
  });
});
