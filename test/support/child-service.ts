import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";

/** The compiled entry point that `npm start` runs once the build is there. */
const MAIN = path.join(__dirname, "..", "..", "src", "main.js");

export interface ChildService {
  child: ChildProcessWithoutNullStreams;
  url: string;
  /** Milliseconds from spawn to the "listening" line. */
  startedInMs: number;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, and its exit code once it has drained and exited. */
  stop(): Promise<number | null>;
  /** SIGKILL: no drain, no flush, no cleanup, as in a crash or an OOM kill. */
  kill(): Promise<void>;
}

/**
 * keyfob as an operator runs it: its own process, configured by the environment only (nothing
 * of this one's inherited but PATH). Resolves once it listens; rejects if it exits first.
 */
export function startChildService(
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ChildService> {
  const started = Date.now();
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? "", PORT: "0", ...env },
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  return new Promise((resolve, reject) => {
    let listening = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = /keyfob is listening on (http:\/\/[^ ]+) /.exec(output);
      if (!match || listening) return;
      listening = true;
      clearTimeout(timer);
      resolve({
        child,
        url: match[1],
        startedInMs: Date.now() - started,
        output: () => output,
        stop: async () => {
          child.kill("SIGTERM");
          return exited;
        },
        kill: async () => {
          child.kill("SIGKILL");
          await exited;
        },
      });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const timer = setTimeout(() => {
      if (listening) return;
      child.kill("SIGKILL");
      reject(new Error(`not listening after ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      if (!listening) reject(new Error(`exited with ${code} before listening:\n${output}`));
    });
  });
}
