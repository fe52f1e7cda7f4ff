import "reflect-metadata";
import { Writable } from "node:stream";
import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/logger";
import { startService, type RunningService, type ServiceOptions } from "../../src/service";
import { Client } from "./client";
import { registerSecret } from "./leaks";

export const TEST_SECRET = "test-secret-for-keyed-digests-0123456789abcdef";

export interface TestService {
  service: RunningService;
  url: string;
  /** Anonymous client; `.as(credentials)` for others. */
  client: Client;
  /** Every log line the service wrote, as text. */
  logs: string[];
  stop(): Promise<void>;
}

/**
 * Starts the real service in this process on the run's test database, on a free port.
 * The caller stops it (`after(() => service.stop())`).
 */
export async function startTestService(
  env: Record<string, string> = {},
  options: ServiceOptions = {},
): Promise<TestService> {
  const databaseUrl = process.env.TEST_DATABASE_URL;
  if (!databaseUrl) throw new Error("TEST_DATABASE_URL is not set: run the tests with `npm test`.");
  registerSecret(TEST_SECRET);
  const config = loadConfig({
    NODE_ENV: "test",
    DATABASE_URL: databaseUrl,
    KEYFOB_SECRET: TEST_SECRET,
    PORT: "0",
    LOG_LEVEL: "info",
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  const service = await startService(config, createLogger(config, sink), options);
  return {
    service,
    url: service.url,
    client: new Client(service.url),
    logs,
    stop: () => service.stop(),
  };
}
