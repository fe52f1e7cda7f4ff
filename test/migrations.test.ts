import "reflect-metadata";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client } from "pg";
import type { DataSource } from "typeorm";
import { createDataSource } from "../src/db/data-source";

/** A database of its own, so reverting migrations cannot disturb the other test files. */
const serverUrl = new URL(process.env.TEST_DATABASE_URL!);
const name = `${serverUrl.pathname.slice(1)}_migrations`;
const url = new URL(serverUrl);
url.pathname = `/${name}`;

async function admin(sql: string) {
  const client = new Client({ connectionString: serverUrl.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe("migrations", () => {
  let db: DataSource;

  before(async () => {
    await admin(`CREATE DATABASE ${name}`);
    db = await createDataSource({ url: url.toString(), poolSize: 2 }).initialize();
  });
  after(async () => {
    await db?.destroy();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it("build a database that matches the entities exactly", async () => {
    await db.runMigrations({ transaction: "each" });
    const pending = await db.driver.createSchemaBuilder().log();
    assert.deepEqual(
      pending.upQueries.map((query) => query.query),
      [],
      "the entities and the migrations disagree",
    );
  });

  it("revert completely and apply again", async () => {
    while ((await db.query(`SELECT count(*)::int AS n FROM migrations`))[0].n > 0) {
      await db.undoLastMigration({ transaction: "each" });
    }
    const tables = await db.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations'`,
    );
    assert.deepEqual(tables, []);
    await db.runMigrations({ transaction: "each" });
    assert.deepEqual((await db.driver.createSchemaBuilder().log()).upQueries, []);
  });
});
