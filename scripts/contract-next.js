// `npm run check:contract:next`: the emitted schema.graphql must cover the public contract
// (../shared/contract/schema.graphql) plus the parts of next.graphql whose issues are resolved,
// with no breaking change and no role directive dropped. next.graphql is one file in sections
// (`# ---- key lifecycle ----`, `# ---- audit trail ----`, …); RESOLVED_PARTS names the sections
// that count. A resolved issue adds its section's name here.
//
// A field of an `extend type` belongs to the section that defines the types it uses (so
// `Organization.events`, written among the lifecycle extensions, belongs to the audit trail, and
// `Mutation.rotateApiKeySecret`, written at the end, to the lifecycle); a field that uses no type
// of next.graphql belongs to the section it is written in.
const { readFileSync } = require("node:fs");
const path = require("node:path");
const { CriticalityLevel, diff } = require("@graphql-inspector/core");
const { buildASTSchema, buildSchema, concatAST, Kind, parse } = require("graphql");

const RESOLVED_PARTS = ["key lifecycle", "audit trail"];

const ROOT = path.join(__dirname, "..");
const CONTRACT_DIR = path.join(ROOT, "..", "shared", "contract");

/** What SDL cannot say about a part: checks on the emitted schema, each returning problems. */
const EXTRA_CHECKS = {
  "key lifecycle": (emitted) => {
    const field = emitted.getType("Organization")?.getFields?.().apiKeys;
    const filter = field?.args.find((arg) => arg.name === "filter");
    if (!filter) return ["Organization.apiKeys has no `filter` argument"];
    if (String(filter.type) !== "ApiKeyFilter") {
      return [`Organization.apiKeys(filter:) is ${filter.type}, not the optional ApiKeyFilter`];
    }
    return [];
  },
};

/** Section headers with their offsets, in file order. */
function sectionsOf(source) {
  return [...source.matchAll(/^# ---- (.+?) -+\s*$/gm)].map((match) => ({
    name: match[1].trim(),
    start: match.index,
  }));
}

function sectionAt(sections, offset) {
  let current = null;
  for (const section of sections) if (section.start <= offset) current = section.name;
  if (!current) throw new Error(`next.graphql: a definition before any section header`);
  return current;
}

/** The named types a field definition mentions (its type and its arguments' types). */
function typesOfField(field) {
  const named = (type) => (type.kind === Kind.NAMED_TYPE ? type.name.value : named(type.type));
  return [named(field.type), ...(field.arguments ?? []).map((arg) => named(arg.type))];
}

/**
 * The definitions of next.graphql that belong to `parts`: whole type definitions by section, and
 * extension fields one by one (see the file comment).
 */
function selectNext(source, parts) {
  const document = parse(source);
  const sections = sectionsOf(source);
  const definedIn = new Map();
  for (const definition of document.definitions) {
    if (definition.name && !definition.kind.endsWith("Extension")) {
      definedIn.set(definition.name.value, sectionAt(sections, definition.loc.start));
    }
  }
  const partOfField = (field, written) => {
    const owners = new Set(typesOfField(field).flatMap((name) => definedIn.get(name) ?? []));
    if (owners.size > 1) {
      throw new Error(
        `next.graphql: ${field.name.value} uses types of ${[...owners].join(" and ")}`,
      );
    }
    return owners.size === 1 ? [...owners][0] : written;
  };
  const selected = [];
  for (const definition of document.definitions) {
    const written = sectionAt(sections, definition.loc.start);
    if (!definition.kind.endsWith("Extension") || !definition.fields) {
      if (parts.includes(written)) selected.push(definition);
      continue;
    }
    const fields = definition.fields.filter((field) => parts.includes(partOfField(field, written)));
    if (fields.length > 0) selected.push({ ...definition, fields });
  }
  return { kind: Kind.DOCUMENT, definitions: selected };
}

/** The contract the service must cover now: schema.graphql + the resolved parts of next.graphql. */
function coveredContract(parts = RESOLVED_PARTS) {
  const base = parse(readFileSync(path.join(CONTRACT_DIR, "schema.graphql"), "utf8"));
  const next = selectNext(readFileSync(path.join(CONTRACT_DIR, "next.graphql"), "utf8"), parts);
  return buildASTSchema(concatAST([base, next]));
}

/** Every problem of `emittedSdl` against the covered contract; none means it passes. */
async function problemsOf(emittedSdl, parts = RESOLVED_PARTS) {
  const emitted = buildSchema(emittedSdl);
  const changes = await diff(coveredContract(parts), emitted);
  const problems = changes
    .filter(
      (change) =>
        change.criticality.level === CriticalityLevel.Breaking ||
        /^DIRECTIVE_USAGE_.*_REMOVED$/.test(change.type),
    )
    .map((change) => change.message);
  for (const part of parts) problems.push(...(EXTRA_CHECKS[part]?.(emitted) ?? []));
  return problems;
}

async function main() {
  const emitted = readFileSync(path.join(ROOT, "schema.graphql"), "utf8");
  const problems = await problemsOf(emitted);
  if (problems.length > 0) {
    console.error(
      `schema.graphql does not cover schema.graphql + next.graphql [${RESOLVED_PARTS.join(", ")}]:`,
    );
    for (const problem of problems) console.error(`  ✖ ${problem}`);
    process.exit(1);
  }
  const covered = Object.keys(coveredContract().getTypeMap()).filter((n) => !n.startsWith("__"));
  console.log(
    `✔ schema.graphql covers schema.graphql + next.graphql [${RESOLVED_PARTS.join(", ")}] ` +
      `(${covered.length} types): no breaking change, no role directive removed.`,
  );
}

module.exports = { RESOLVED_PARTS, coveredContract, problemsOf, selectNext };

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
