import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { CriticalityLevel, diff } from "@graphql-inspector/core";
import { buildSchema, print } from "graphql";
import { createSchema, printSchema } from "../src/graphql/schema";
import { contractNext } from "./support/contract";

const root = path.join(__dirname, "..", "..");
const committed = readFileSync(path.join(root, "schema.graphql"), "utf8");
const contract = readFileSync(
  path.join(root, "..", "shared", "contract", "schema.graphql"),
  "utf8",
);
/** The resolved parts of next.graphql, printed: their fields carry role directives too. */
const resolvedNext = print(
  contractNext.selectNext(
    readFileSync(path.join(root, "..", "shared", "contract", "next.graphql"), "utf8"),
    contractNext.RESOLVED_PARTS,
  ),
);

describe("schema.graphql", () => {
  it("is exactly the SDL the code emits (run `npm run schema:emit` after changing types)", async () => {
    assert.equal(printSchema(await createSchema()), committed);
  });

  it("has no breaking change against the public contract", async () => {
    const changes = await diff(buildSchema(contract), buildSchema(committed));
    const breaking = changes.filter(
      (change) => change.criticality.level === CriticalityLevel.Breaking,
    );
    assert.deepEqual(
      breaking.map((change) => change.message),
      [],
    );
  });

  it("keeps every role directive of the contract (and of next.graphql's resolved parts) on the same field", async () => {
    const changes = await diff(buildSchema(contract), buildSchema(committed));
    const removed = changes.filter((change) => /DIRECTIVE.*REMOVED/.test(change.type));
    assert.deepEqual(
      removed.map((change) => change.message),
      [],
    );
    for (const directive of ["@hasOrgRole", "@hasProjectRole", "@userOnly"]) {
      const count = (text: string) => text.split(directive).length - 1;
      assert.equal(count(committed), count(contract) + count(resolvedNext), `${directive} usages`);
    }
  });

  it("covers the resolved parts of next.graphql too (npm run check:contract:next)", async () => {
    assert.deepEqual(await contractNext.problemsOf(committed), []);
    assert.ok(contractNext.RESOLVED_PARTS.includes("key lifecycle"));
  });

  it("would notice a lifecycle field gone, or the filter argument of Organization.apiKeys", async () => {
    const without = committed
      .replace(/^ {2}"""Live secrets, newest first."""\n {2}secrets: .*\n/m, "")
      .replace(", filter: ApiKeyFilter)", ")");
    assert.notEqual(without, committed);
    assert.deepEqual(await contractNext.problemsOf(without), [
      "Field 'secrets' was removed from object type 'ApiKey'",
      "Organization.apiKeys has no `filter` argument",
    ]);
  });
});
