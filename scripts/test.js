// `npm test`: runs every test against a real PostgreSQL. Creates a database for this run,
// migrates it once, runs the compiled test files with node's test runner, then drops it.
// TEST_DATABASE_URL names the server (default: the local one); nothing else is touched.
const { spawnSync } = require("node:child_process");
const { readdirSync, statSync } = require("node:fs");
const path = require("node:path");
const { randomBytes } = require("node:crypto");
const { Client } = require("pg");

const root = path.join(__dirname, "..");
const serverUrl = new URL(
  process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres",
);
const databaseName = `keyfob_test_${Date.now()}_${randomBytes(3).toString("hex")}`;

function testFiles(directory) {
  return readdirSync(directory).flatMap((name) => {
    const full = path.join(directory, name);
    if (statSync(full).isDirectory()) return testFiles(full);
    return name.endsWith(".test.js") ? [full] : [];
  });
}

async function admin(sql) {
  const client = new Client({ connectionString: serverUrl.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function main() {
  const filters = process.argv.slice(2);
  const files = [
    ...testFiles(path.join(root, "dist", "src")),
    ...testFiles(path.join(root, "dist", "test")),
  ]
    .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
    .sort();
  await admin(`CREATE DATABASE ${databaseName}`);
  const databaseUrl = new URL(serverUrl);
  databaseUrl.pathname = `/${databaseName}`;
  let status = 1;
  try {
    const env = { ...process.env, TEST_DATABASE_URL: databaseUrl.toString(), NODE_ENV: "test" };
    const migrate = spawnSync(
      process.execPath,
      [path.join(root, "dist", "src", "db", "migrate-cli.js"), "run"],
      { stdio: "inherit", env: { ...env, DATABASE_URL: databaseUrl.toString() } },
    );
    if (migrate.status !== 0) throw new Error("migrations failed");
    // The timeout bounds each test file's whole run too (node runs a file as a test), so it is
    // the largest a file may take: the fuzz and the authorization matrix, which ask for 300 s
    // themselves, pass 120 s on this 2-core machine when other sessions load it.
    const run = spawnSync(
      process.execPath,
      ["--enable-source-maps", "--test", "--test-concurrency=3", "--test-timeout=300000", ...files],
      { stdio: "inherit", env, cwd: root },
    );
    status = run.status ?? 1;
  } finally {
    // Suites that need a database of their own name it after this run's (`…_faults`, `…_crash`)
    // and drop it themselves; a suite killed by its timeout cannot, so the run drops what is left.
    const client = new Client({ connectionString: serverUrl.toString() });
    await client.connect();
    try {
      const { rows } = await client.query(
        "SELECT datname FROM pg_database WHERE datname = $1 OR starts_with(datname, $1 || '_')",
        [databaseName],
      );
      for (const { datname } of rows) {
        await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
    } finally {
      await client.end();
    }
  }
  process.exit(status);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
