import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Finer statistics for the two columns the key list's `search` matches (`ILIKE '%term%'`).
 * PostgreSQL estimates such a pattern from the column's histogram: with the default 100 bounds,
 * a rare term that happens to match one bound is taken for 1 % of the rows, and on an
 * organization with 100,000 keys the planner then walks its whole page index instead of asking
 * `api_keys_search_idx` (seen in CI, and in 13 of 300 re-analyzes of 100,000 filler keys). With
 * 1,000 bounds a bound's weight is 0.1 % and the rare terms of those 300 all kept the index; a
 * common term (one key in ten) still gets the page index, as it should.
 */
export class FinerKeySearchStatistics1764000500000 implements MigrationInterface {
  name = "FinerKeySearchStatistics1764000500000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE api_keys
      ALTER COLUMN description SET STATISTICS 1000,
      ALTER COLUMN public_key SET STATISTICS 1000`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE api_keys
      ALTER COLUMN description SET STATISTICS -1,
      ALTER COLUMN public_key SET STATISTICS -1`);
  }
}
