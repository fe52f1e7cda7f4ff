import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EventIds } from "./event-id";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("event ids", () => {
  it("are version 7 UUIDs", () => {
    const ids = new EventIds();
    for (let i = 0; i < 100; i++) assert.match(ids.next(), UUID_V7);
  });

  it("only ever increase, within one millisecond and across them", () => {
    let now = 1_764_000_000_000;
    const ids = new EventIds(() => now);
    const made: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      if (i % 3000 === 0) now += 1;
      made.push(ids.next());
    }
    const sorted = [...made].sort();
    assert.deepEqual(made, sorted);
    assert.equal(new Set(made).size, made.length);
  });

  it("keep increasing when the clock steps back", () => {
    let now = 1_764_000_000_000;
    const ids = new EventIds(() => now);
    const first = ids.next();
    now -= 5_000;
    assert.ok(ids.next() > first);
  });

  it("carry the millisecond they were made in", () => {
    const ids = new EventIds(() => 0x0123_4567_89ab);
    assert.ok(ids.next().startsWith("01234567-89ab-7"));
  });
});
