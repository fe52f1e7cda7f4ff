import "reflect-metadata";
import { parseArgs } from "node:util";
import { bootstrapPasswordFromEnvironment, ConfigError, loadConfig } from "../config";
import { createDataSource } from "../db/data-source";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "../db/embedded";
import { BootstrapError, bootstrapOwner } from "./bootstrap";

const USAGE = `Usage: npm run bootstrap -- --email EMAIL --organization NAME [--name NAME]
The password is read from KEYFOB_BOOTSTRAP_PASSWORD, or else from standard input:
  printf '%s' "$PASSWORD" | npm run bootstrap -- --email ada@example.com --organization Acme`;

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write("Password (input is echoed; prefer a pipe): ");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (process.stdin.isTTY && chunk.includes(10)) break;
  }
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/** `npm run bootstrap`: the first owner and organization, for deployments with sign-up closed. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      email: { type: "string" },
      organization: { type: "string" },
      name: { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help || !values.email || !values.organization) {
    console.error(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const config = loadConfig();
  const password = bootstrapPasswordFromEnvironment() ?? (await readStdin());
  let embedded: EmbeddedDatabase | undefined;
  if (!config.databaseUrl) embedded = await startEmbeddedDatabase(config.dataDir);
  const db = await createDataSource({
    url: config.databaseUrl ?? embedded!.url,
    poolSize: 1,
  }).initialize();
  try {
    await db.runMigrations({ transaction: "each" });
    const created = await bootstrapOwner(db, {
      email: values.email,
      password,
      name: values.name ?? values.email.split("@")[0],
      organization: values.organization,
    });
    console.log(
      `Created ${values.email.toLowerCase()} (${created.userId}), ORG_OWNER of "${values.organization}" (${created.organizationId}). Sign in with the logIn mutation.`,
    );
  } finally {
    await db.destroy();
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  if (error instanceof BootstrapError || error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(error instanceof Error ? error.message : error);
  }
  process.exitCode = 1;
});
