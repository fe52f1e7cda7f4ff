import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isListType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from "graphql";
import { TARGET_KEY_ENTRY, type FixtureType, type World } from "./world";

/**
 * What the fuzz sends, derived from the schema alone: every field of Query and Mutation that
 * takes arguments, and every field with arguments on the object a query returns (the
 * connections' `first` / `after`). Each becomes a document whose arguments are all variables,
 * with a baseline value built from the types and the naming conventions below.
 */
export interface Target {
  /** `Mutation.createProject`, or `Query.organization.projects` for a nested field. */
  name: string;
  operation: "query" | "mutation";
  root: GraphQLField<unknown, unknown>;
  nested?: GraphQLField<unknown, unknown>;
}

/** One place a hostile value goes: a variable, or an input field or list item inside one. */
export interface Position {
  /** Variable name first, then input fields and list indices. */
  path: (string | number)[];
  type: GraphQLInputType;
  /** Fields of the same input that must then be left out (exactly one of them is allowed). */
  leaveOut: string[];
}

/**
 * Where the types and names below are not enough. Keys are `InputType.field`.
 */
const OVERRIDES: Record<string, (world: World, n: number) => unknown> = {
  // A new user needs an email nobody has.
  "SignUpInput.email": (_world, n) => `fuzz-${process.pid}-${Date.now()}-${n}@example.test`,
  // The target key is assigned already, and the member is in the project already.
  "AssignApiKeyToProjectInput.apiKeyId": (world) => world.unassignedKeyId,
  "AddProjectMemberInput.userId": (world) => world.outsideProjectMemberId,
  // The target key's older secret, still in its grace period: revoking it leaves the newer one.
  "RevokeApiKeySecretInput.secretId": (world) => world.graceSecretId,
};

/** Input types that take exactly one of some fields: the baseline gives the first. */
const EXACTLY_ONE_OF: Record<string, string[]> = {
  AccessListEntryInput: ["cidrBlock", "ipAddress"],
};

const FIXTURE_TYPES = new Set<string>(["Organization", "Project", "ApiKey", "User"]);

export function targetsOf(schema: GraphQLSchema): Target[] {
  const targets: Target[] = [];
  for (const [operation, type] of [
    ["query", schema.getQueryType()],
    ["mutation", schema.getMutationType()],
  ] as const) {
    for (const root of Object.values(type?.getFields() ?? {})) {
      if (root.args.length > 0)
        targets.push({ name: `${type!.name}.${root.name}`, operation, root });
      const returned = getNullableType(root.type);
      if (operation !== "query" || !isObjectType(returned)) continue;
      for (const nested of Object.values(returned.getFields())) {
        if (nested.args.length === 0) continue;
        targets.push({
          name: `${type!.name}.${root.name}.${nested.name}`,
          operation,
          root,
          nested,
        });
      }
    }
  }
  return targets;
}

const variableName = (target: Target, argument: GraphQLArgument, nested: boolean) =>
  nested && target.nested ? `nested_${argument.name}` : argument.name;

function argumentsOf(
  target: Target,
): { argument: GraphQLArgument; variable: string; field: GraphQLField<unknown, unknown> }[] {
  return [
    ...target.root.args.map((argument) => ({
      argument,
      variable: variableName(target, argument, false),
      field: target.root,
    })),
    ...(target.nested?.args ?? []).map((argument) => ({
      argument,
      variable: variableName(target, argument, true),
      field: target.nested!,
    })),
  ];
}

/** A selection that returns ids, counts and user errors: never a stored text or a secret. */
function selectionOf(type: GraphQLOutputType, depth = 0): string {
  const named = getNamedType(type);
  if (isScalarType(named) || isEnumType(named)) return "";
  if (!isObjectType(named)) return "{ __typename }";
  const parts = ["__typename"];
  for (const field of Object.values(named.getFields())) {
    if (field.args.some((argument) => argument.type.toString().endsWith("!"))) continue;
    const fieldType = getNamedType(field.type);
    if (field.name === "userErrors") parts.push("userErrors { code field message }");
    else if (isScalarType(fieldType) && ["ID", "Int", "Boolean"].includes(fieldType.name)) {
      parts.push(field.name);
    } else if (
      depth === 0 &&
      isObjectType(fieldType) &&
      fieldType.getFields().id &&
      !isListType(getNullableType(field.type))
    ) {
      parts.push(`${field.name} { id }`);
    }
  }
  return `{ ${parts.join(" ")} }`;
}

export function documentOf(target: Target): string {
  const all = argumentsOf(target);
  const definitions = all.map(({ argument, variable }) => `$${variable}: ${argument.type}`);
  const call = (field: GraphQLField<unknown, unknown>, nested: boolean) => {
    const args = field.args.map(
      (argument) => `${argument.name}: $${variableName(target, argument, nested)}`,
    );
    return args.length > 0 ? `${field.name}(${args.join(", ")})` : field.name;
  };
  const body = target.nested
    ? `${call(target.root, false)} { ${call(target.nested, true)} ${selectionOf(target.nested.type)} }`
    : `${call(target.root, false)} ${selectionOf(target.root.type)}`;
  return `${target.operation} Fuzz(${definitions.join(", ")}) { ${body} }`;
}

export function positionsOf(target: Target): Position[] {
  const positions: Position[] = [];
  const walk = (
    type: GraphQLInputType,
    path: (string | number)[],
    leaveOut: string[],
    depth: number,
  ) => {
    positions.push({ path, type, leaveOut });
    if (depth > 6) return;
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      walk(nullable.ofType as GraphQLInputType, [...path, 0], [], depth + 1);
    } else if (isInputObjectType(nullable)) {
      const group = EXACTLY_ONE_OF[nullable.name] ?? [];
      for (const field of Object.values(nullable.getFields())) {
        const others = group.includes(field.name)
          ? group.filter((name) => name !== field.name)
          : [];
        walk(field.type, [...path, field.name], others, depth + 1);
      }
    }
  };
  for (const { argument, variable } of argumentsOf(target)) walk(argument.type, [variable], [], 0);
  return positions;
}

/** Thrown when the conventions cannot give a value: add one, or an override, for the new field. */
export class NoBaseline extends Error {}

/**
 * The baseline variables of a target in a world. `n` makes values that must be unique (emails,
 * CIDR blocks) differ from one request to the next.
 */
export function baselineOf(
  schema: GraphQLSchema,
  target: Target,
  world: World,
  n: number,
): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const { argument, variable, field } of argumentsOf(target)) {
    const value = valueFor(schema, world, n, {
      coordinate: `${target.name}(${argument.name})`,
      name: argument.name,
      type: argument.type,
      defaultValue: argument.defaultValue,
      returnType: getNamedType(field.type).name,
    });
    if (value !== undefined) variables[variable] = value;
  }
  return variables;
}

interface Slot {
  coordinate: string;
  name: string;
  type: GraphQLInputType;
  defaultValue: unknown;
  /** For an argument: the named type its field returns (what an `id` argument names). */
  returnType?: string;
  override?: string;
}

function valueFor(schema: GraphQLSchema, world: World, n: number, slot: Slot): unknown {
  const override = slot.override ? OVERRIDES[slot.override] : undefined;
  if (override) return override(world, n);
  if (slot.defaultValue !== undefined) return slot.defaultValue;
  const nullable = getNullableType(slot.type);
  if (isListType(nullable)) {
    return [valueFor(schema, world, n, { ...slot, type: nullable.ofType as GraphQLInputType })];
  }
  if (isInputObjectType(nullable)) {
    const object: Record<string, unknown> = {};
    const group = EXACTLY_ONE_OF[nullable.name] ?? [];
    for (const field of Object.values(nullable.getFields())) {
      if (group.indexOf(field.name) > 0) continue;
      const value = valueFor(schema, world, n, {
        coordinate: `${nullable.name}.${field.name}`,
        name: field.name,
        type: field.type,
        defaultValue: field.defaultValue,
        override: `${nullable.name}.${field.name}`,
      });
      if (value !== undefined) object[field.name] = value;
    }
    return object;
  }
  if (isEnumType(nullable)) return nullable.getValues()[0].name;
  switch (nullable.name) {
    case "Int":
      return 10;
    case "Boolean":
      return true;
    case "ID":
      return idFor(schema, world, slot);
    case "String":
      return textFor(world, n, slot.name);
    case "DateTime":
      // Tomorrow: a valid expiresAt under any lifetime policy, and a valid filter instant.
      return new Date(Date.now() + 86_400_000).toISOString();
    default:
      throw new NoBaseline(`${slot.coordinate}: no baseline for scalar ${nullable.name}`);
  }
}

function idFor(schema: GraphQLSchema, world: World, slot: Slot): string {
  const named = slot.name === "id" ? slot.returnType : /^(.+)Id$/.exec(slot.name)?.[1];
  const type = named ? named[0].toUpperCase() + named.slice(1) : undefined;
  if (type && FIXTURE_TYPES.has(type)) return world.ids[type as FixtureType];
  // An id argument of an interface (`node`): any fixture that implements it.
  const abstract = type ? schema.getType(type) : undefined;
  if (abstract && isAbstractType(abstract)) {
    const possible = schema.getPossibleTypes(abstract).find((t) => FIXTURE_TYPES.has(t.name));
    if (possible) return world.ids[possible.name as FixtureType];
  }
  throw new NoBaseline(
    `${slot.coordinate}: an ID named "${slot.name}" names no fixture type (${[...FIXTURE_TYPES].join(", ")})`,
  );
}

function textFor(world: World, n: number, name: string): string | undefined {
  switch (name) {
    case "email":
      return world.spare.email;
    case "password":
      return world.spare.password;
    case "cidrBlock":
      return `10.${(n >> 8) & 255}.${n & 255}.0/24`;
    case "ipAddress":
      return `192.0.2.${n & 255}`;
    case "entry":
      return TARGET_KEY_ENTRY;
    case "after":
      // A cursor is only valid once a page has returned it: the baseline asks for the first page.
      return undefined;
    default:
      return `fuzz-${name}-${n}`;
  }
}

/** The baseline with `value` at `position` (`undefined` leaves it out). */
export function withValueAt(
  variables: Record<string, unknown>,
  position: Position,
  value: unknown,
): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(variables)) as Record<string, unknown>;
  let container: Record<string | number, unknown> = copy;
  const { path } = position;
  for (let i = 0; i < path.length - 1; i++) {
    const next = container[path[i]];
    if (next === null || typeof next !== "object") {
      container[path[i]] = typeof path[i + 1] === "number" ? [] : {};
    }
    container = container[path[i]] as Record<string | number, unknown>;
  }
  const last = path[path.length - 1];
  for (const other of position.leaveOut) delete container[other];
  if (value === undefined) delete container[last];
  else container[last] = value;
  return copy;
}
