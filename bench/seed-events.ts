import { Client } from "pg";
import { EventType } from "../src/audit/event-kinds";

const TYPES = Object.values(EventType);

export interface FillerEvents {
  /** Organizations made to hold the rest of the events. */
  fillerOrganizations: number;
  /** Every event written, the given organization's included. */
  total: number;
  /** Of which in the given organization. */
  inOrganization: number;
  /** Filler target keys: every event names one of these ids (a deterministic uuid per n). */
  targetKeys: number;
  seconds: number;
}

/** The uuid of filler target key `n` (0-based), as `seedFillerEvents` writes them. */
export function fillerKeyUuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}

/**
 * Fills the audit trail in bulk (one INSERT … SELECT over generate_series, no API): `total`
 * events, about `inOrganization` of them in `organizationId` (an organization made through the
 * API, so its owner can read them; every (total / inOrganization)-th event) and the rest spread
 * over filler organizations. Types cycle through
 * every type, each event names one of `targetKeys` filler key ids, one in ten a project id, and
 * they go back one second each from now. Actors are a made-up user id (no foreign key).
 */
export async function seedFillerEvents(
  databaseUrl: string,
  options: { organizationId: string; total: number; inOrganization: number; targetKeys?: number },
): Promise<FillerEvents> {
  const started = Date.now();
  const fillerOrganizations = 49;
  const targetKeys = options.targetKeys ?? 1_000;
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query("SET LOCAL maintenance_work_mem = '256MB'");
    // Secondary indexes are dropped and built again after the insert: much faster than keeping
    // them up to date row by row. Their definitions are read from the catalog, so they come back
    // exactly as the migrations made them.
    const indexes: { name: string; definition: string }[] = (
      await client.query(
        `SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS definition
           FROM pg_index WHERE indrelid = 'events'::regclass AND NOT indisprimary`,
      )
    ).rows;
    for (const index of indexes) await client.query(`DROP INDEX ${index.name}`);
    await client.query(
      `CREATE TEMP TABLE filler_event_orgs ON COMMIT DROP AS
       SELECT gen_random_uuid() AS id, g - 1 AS ordinal FROM generate_series(1, $1::int) g`,
      [fillerOrganizations],
    );
    await client.query(`INSERT INTO organizations (id, name, api_access_list_required)
      SELECT id, 'event-filler-' || ordinal, true FROM filler_event_orgs`);
    await client.query(
      `INSERT INTO events (id, organization_id, project_id, type, created_at, actor_user_id,
                           actor_label, remote_address, target_api_key_id, target_public_key)
       SELECT gen_random_uuid(),
              CASE WHEN n % ($3::int / $2::int) = 0 THEN $1::uuid
                   ELSE (SELECT id FROM filler_event_orgs WHERE ordinal = n % $5) END,
              CASE WHEN n % 10 = 0 THEN '00000000-0000-4000-9000-000000000001'::uuid END,
              ($4::text[])[1 + n % 21],
              now() - make_interval(secs => n),
              '00000000-0000-4000-a000-000000000001'::uuid,
              'filler@example.test', '192.0.2.1',
              ('00000000-0000-4000-8000-' || lpad(to_hex(n % $6), 12, '0'))::uuid,
              'zzfiller'
         FROM generate_series(1, $3::int) n`,
      [
        options.organizationId,
        options.inOrganization,
        options.total,
        TYPES,
        fillerOrganizations,
        targetKeys,
      ],
    );
    for (const index of indexes) await client.query(index.definition);
    await client.query("COMMIT");
    await client.query("VACUUM (ANALYZE) events, organizations");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
  return {
    fillerOrganizations,
    total: options.total,
    inOrganization: options.inOrganization,
    targetKeys,
    seconds: (Date.now() - started) / 1000,
  };
}
