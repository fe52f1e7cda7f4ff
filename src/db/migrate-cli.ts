import "reflect-metadata";
import { loadConfig } from "../config";
import { createDataSource } from "./data-source";

/** `npm run migrate` / `npm run migrate:revert` against DATABASE_URL. */
async function main(command: string | undefined): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl) {
    throw new Error(
      "DATABASE_URL is not set. The embedded database is migrated by `npm start` itself.",
    );
  }
  const dataSource = await createDataSource({ url: config.databaseUrl, poolSize: 1 }).initialize();
  try {
    if (command === "revert") {
      await dataSource.undoLastMigration({ transaction: "each" });
      console.log("Reverted the last migration.");
    } else {
      const applied = await dataSource.runMigrations({ transaction: "each" });
      console.log(
        applied.length
          ? `Applied ${applied.map((migration) => migration.name).join(", ")}.`
          : "The database is up to date.",
      );
    }
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
