import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";

/** Runs a process that logs `count` lines through the service's stdout logger, then flushes. */
function loggedLines(count: number, name: string, exit: "flush" | "fatal"): unknown[] {
  const script = `
    const { createLogger, flushLog, flushLogSync } = require(${JSON.stringify(require.resolve("./logger"))});
    const log = createLogger({ logLevel: "info", nodeEnv: "production" });
    for (let i = 0; i < ${count}; i++) log.info({ i, name: ${JSON.stringify(name)} }, "line");
    if (${JSON.stringify(exit)} === "flush") flushLog(log).then(() => process.exit(0));
    else { flushLogSync(log); process.exit(1); }
  `;
  let stdout: string;
  try {
    stdout = execFileSync(process.execPath, ["-e", script], { encoding: "utf8" });
  } catch (error) {
    stdout = (error as { stdout: string }).stdout;
  }
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as unknown);
}

describe("the stdout logger (buffered, in chunks)", () => {
  it("writes every line whole and in order, multi-byte characters included, once flushed", () => {
    const name = "Zoë 🚀 日本語";
    const lines = loggedLines(3000, name, "flush") as { i: number; name: string }[];
    assert.equal(lines.length, 3000);
    lines.forEach((line, index) => {
      assert.equal(line.i, index);
      assert.equal(line.name, name);
    });
  });

  it("writes what is buffered when the process exits at once after a synchronous flush", () => {
    const lines = loggedLines(50, "before a fatal exit", "fatal");
    assert.equal(lines.length, 50);
  });
});
