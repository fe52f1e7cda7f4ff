// PGlite publishes its contrib extensions through package "exports", which this project's
// `moduleResolution: node10` does not read; node itself resolves them at run time.
declare module "@electric-sql/pglite/contrib/pg_trgm" {
  import type { Extension } from "@electric-sql/pglite";
  export const pg_trgm: Extension;
}
