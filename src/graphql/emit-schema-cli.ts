import { writeFileSync } from "node:fs";
import path from "node:path";
import { createSchema, printSchema } from "./schema";

/** `npm run schema:emit`: writes the SDL that the code defines to `schema.graphql`. */
createSchema()
  .then((schema) => {
    const file = path.join(__dirname, "..", "..", "..", "schema.graphql");
    writeFileSync(file, printSchema(schema));
    console.log(`Wrote ${path.relative(process.cwd(), file)}`);
  })
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
