import "reflect-metadata";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Client } from "pg";
import { DataSource } from "typeorm";
import { CreateUsersOrganizationsProjects1764000000000 } from "../migrations/1764000000000-create-users-organizations-projects";
import { CreateApiKeys1764000100000 } from "../migrations/1764000100000-create-api-keys";
import { secretDigest } from "../src/auth/session-token";
import { createDataSource } from "../src/db/data-source";
import { toGlobalId } from "../src/graphql/global-id";
import { Client as GraphQLClient } from "./support/client";
import { registerSecret } from "./support/leaks";
import { startTestService, TEST_SECRET } from "./support/service";

/** Databases of their own, so reverting migrations cannot disturb the other test files. */
const serverUrl = new URL(process.env.TEST_DATABASE_URL!);
function databaseUrl(suffix: string): { name: string; url: URL } {
  const name = `${serverUrl.pathname.slice(1)}_${suffix}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { name, url };
}
const { name, url } = databaseUrl("migrations");

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

describe("upgrading a database whose keys predate the key lifecycle", () => {
  const { name: upgradeName, url: upgradeUrl } = databaseUrl("upgrade");
  /** Keys as the old schema held them: one private key each, its digest and tail on the key. */
  const oldKeys = ["ORG_OWNER", "ORG_MEMBER"].map((role, index) => {
    const privateKey = randomUUID();
    registerSecret(privateKey);
    return {
      id: randomUUID(),
      publicKey: `zzold${"abc"[index]}xy`,
      privateKey,
      role,
      lastUsedAt: index === 0 ? new Date("2026-11-01T12:00:00.000Z") : null,
    };
  });
  const organizationId = randomUUID();

  before(async () => {
    await admin(`CREATE DATABASE ${upgradeName}`);
    // The schema as it was before 1764000200000, migrated by the migrations of that time.
    const old = await new DataSource({
      type: "postgres",
      url: upgradeUrl.toString(),
      migrations: [CreateUsersOrganizationsProjects1764000000000, CreateApiKeys1764000100000],
      migrationsTableName: "migrations",
    }).initialize();
    try {
      await old.runMigrations({ transaction: "each" });
      // The one place where raw SQL is right: rows in a schema the entities no longer describe.
      await old.query(
        `INSERT INTO organizations (id, name, api_access_list_required) VALUES ($1, 'Before', true)`,
        [organizationId],
      );
      for (const key of oldKeys) {
        await old.query(
          `INSERT INTO api_keys (id, organization_id, public_key, private_key_digest, private_key_tail, description, roles, last_used_at)
           VALUES ($1, $2, $3, $4, $5, 'made before the lifecycle', $6, $7)`,
          [
            key.id,
            organizationId,
            key.publicKey,
            secretDigest(TEST_SECRET, key.privateKey),
            key.privateKey.slice(-12),
            [key.role],
            key.lastUsedAt,
          ],
        );
        await old.query(
          `INSERT INTO api_key_access_list_entries (api_key_id, cidr_block) VALUES ($1, '127.0.0.0/8')`,
          [key.id],
        );
      }
    } finally {
      await old.destroy();
    }
  });
  after(() => admin(`DROP DATABASE IF EXISTS ${upgradeName} WITH (FORCE)`));

  it("gives every key one secret from its digest, enabled and never expiring: the old private keys still work; revert restores the newest", async () => {
    const service = await startTestService({ DATABASE_URL: upgradeUrl.toString() });
    let rotatedPrivateKey: string;
    try {
      const [ownerKey, memberKey] = oldKeys.map((key) =>
        service.client.as({ kind: "apiKey", publicKey: key.publicKey, privateKey: key.privateKey }),
      );
      const { viewer } = await memberKey.query(`{ viewer { ... on ApiKey { publicKey } } }`);
      assert.equal(viewer.publicKey, oldKeys[1].publicKey);

      const { organization } = await ownerKey.query(
        `query ($id: ID!) { organization(id: $id) { maxApiKeyLifetimeDays apiKeys(first: 10) {
           edges { node { publicKey enabled expiresAt privateKeyRedacted
                          secrets { privateKeyRedacted createdAt expiresAt lastUsedAt } } } } } }`,
        { id: toGlobalId("Organization", organizationId) },
      );
      assert.equal(organization.maxApiKeyLifetimeDays, null);
      const byPublicKey = new Map(
        organization.apiKeys.edges.map((edge: any) => [edge.node.publicKey, edge.node]),
      );
      for (const key of oldKeys) {
        const node: any = byPublicKey.get(key.publicKey);
        const redacted = `********-****-****-${key.privateKey.slice(-12)}`;
        assert.equal(node.enabled, true);
        assert.equal(node.expiresAt, null);
        assert.equal(node.privateKeyRedacted, redacted);
        assert.equal(node.secrets.length, 1);
        assert.equal(node.secrets[0].privateKeyRedacted, redacted);
        assert.equal(node.secrets[0].expiresAt, null);
      }
      assert.equal(
        (byPublicKey.get(oldKeys[0].publicKey) as any).secrets[0].lastUsedAt,
        "2026-11-01T12:00:00.000Z",
        "the key's last use is its one secret's",
      );

      // A rotation after the upgrade: revert must keep the newest private key.
      const keyId = toGlobalId("ApiKey", oldKeys[1].id);
      const rotated = await ownerKey.mutate(
        `mutation ($input: RotateApiKeySecretInput!) { rotateApiKeySecret(input: $input) { privateKey userErrors { code } } }`,
        { input: { apiKeyId: keyId, gracePeriodSeconds: 3_600 } },
      );
      rotatedPrivateKey = rotated.privateKey;
      const withNew = new GraphQLClient(service.url, {
        kind: "apiKey",
        publicKey: oldKeys[1].publicKey,
        privateKey: rotatedPrivateKey,
      });
      assert.equal((await withNew.raw(`{ viewer { __typename } }`)).status, 200);
      assert.equal((await memberKey.raw(`{ viewer { __typename } }`)).status, 200, "in grace");
    } finally {
      await service.stop();
    }

    const db = await createDataSource({ url: upgradeUrl.toString(), poolSize: 1 }).initialize();
    try {
      // Back to before the key lifecycle: every migration after it first (the audit trail), then it.
      while (
        (await db.query(`SELECT max(timestamp)::bigint AS last FROM migrations`))[0].last >
        1764000200000
      ) {
        await db.undoLastMigration({ transaction: "each" });
      }
      await db.undoLastMigration({ transaction: "each" });
      const rows: { public_key: string; private_key_digest: Buffer; private_key_tail: string }[] =
        await db.query(
          `SELECT public_key, private_key_digest, private_key_tail FROM api_keys ORDER BY public_key`,
        );
      const expected = [oldKeys[0].privateKey, rotatedPrivateKey];
      assert.deepEqual(
        rows.map((row) => [
          row.public_key,
          row.private_key_digest.toString("hex"),
          row.private_key_tail,
        ]),
        oldKeys.map((key, index) => [
          key.publicKey,
          secretDigest(TEST_SECRET, expected[index]).toString("hex"),
          expected[index].slice(-12),
        ]),
      );
      const gone = await db.query(
        `SELECT (SELECT count(*)::int FROM pg_tables WHERE tablename = 'api_key_secrets') AS secrets,
                (SELECT count(*)::int FROM information_schema.columns
                  WHERE (table_name, column_name) IN (('api_keys', 'expires_at'), ('api_keys', 'enabled'),
                                                      ('organizations', 'max_api_key_lifetime_days'))) AS columns`,
      );
      assert.deepEqual(gone, [{ secrets: 0, columns: 0 }]);
      // And forward again, from a reverted database that now holds a rotated key.
      await db.runMigrations({ transaction: "each" });
      assert.deepEqual((await db.driver.createSchemaBuilder().log()).upQueries, []);
      const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM api_key_secrets`);
      assert.equal(count, 2);
    } finally {
      await db.destroy();
    }
  });
});
