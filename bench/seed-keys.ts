import { Client } from "pg";

/**
 * Fills the database with filler organizations and API keys in bulk (generate_series, no API),
 * to measure key verification and listing with millions of rows. Filler keys get one secret each
 * with a random digest: nobody can authenticate with them. Descriptions are "filler key <n>", for
 * the list's search. Public keys are "zz" + 6 letters derived from a counter, so
 * they never collide with each other.
 */
export async function seedFillerKeys(
  databaseUrl: string,
  { organizations, keysPerOrganization }: { organizations: number; keysPerOrganization: number },
): Promise<{ keys: number; seconds: number }> {
  const started = Date.now();
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const offset = Number(
      (await client.query(`SELECT count(*)::bigint AS n FROM api_keys WHERE public_key LIKE 'zz%'`))
        .rows[0].n,
    );
    await client.query("BEGIN");
    await client.query(
      `CREATE TEMP TABLE filler_orgs ON COMMIT DROP AS
      SELECT gen_random_uuid() AS id, g AS ordinal FROM generate_series(1, $1::int) g`,
      [organizations],
    );
    await client.query(`INSERT INTO organizations (id, name, api_access_list_required)
      SELECT id, 'filler-' || ordinal, true FROM filler_orgs`);
    await client.query(
      `INSERT INTO api_keys (id, organization_id, public_key, description, roles, created_at)
       SELECT gen_random_uuid(), o.id,
              'zz' || (SELECT string_agg(chr(97 + ((n / (26 ^ i)::bigint) % 26)::int), '' ORDER BY i DESC)
                         FROM generate_series(0, 5) i),
              'filler key ' || n, ARRAY['ORG_MEMBER'], now() - (n || ' milliseconds')::interval
         FROM filler_orgs o
         CROSS JOIN LATERAL generate_series(1, $1::int) k
         CROSS JOIN LATERAL (SELECT $2::bigint + (o.ordinal - 1) * $1::bigint + k AS n) numbered`,
      [keysPerOrganization, offset],
    );
    await client.query(
      `INSERT INTO api_key_secrets (api_key_id, digest, tail, created_at)
       SELECT k.id, sha256(gen_random_uuid()::text::bytea), right(md5(k.id::text), 12), k.created_at
         FROM api_keys k JOIN filler_orgs o ON o.id = k.organization_id`,
    );
    await client.query(
      `INSERT INTO api_key_access_list_entries (api_key_id, cidr_block, is_single_address)
       SELECT k.id, '10.0.0.0/8'::cidr, false
         FROM api_keys k JOIN filler_orgs o ON o.id = k.organization_id`,
    );
    await client.query("COMMIT");
    // Settle the new rows now, so autovacuum does not compete with the measurement that follows.
    await client.query(
      "VACUUM (ANALYZE) organizations, api_keys, api_key_secrets, api_key_access_list_entries",
    );
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
  return { keys: organizations * keysPerOrganization, seconds: (Date.now() - started) / 1000 };
}

if (require.main === module) {
  const url = process.env.DATABASE_URL;
  const total = Number(process.argv[2] ?? 1_000_000);
  const organizations = Number(process.argv[3] ?? 10_000);
  if (!url) throw new Error("Set DATABASE_URL");
  seedFillerKeys(url, {
    organizations,
    keysPerOrganization: Math.ceil(total / organizations),
  }).then(({ keys, seconds }) =>
    console.log(`Seeded ${keys} keys in ${organizations} organizations in ${seconds.toFixed(1)} s`),
  );
}
