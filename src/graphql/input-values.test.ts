import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildSchema,
  parse,
  specifiedRules,
  validate,
  type GraphQLInputType,
  type OperationDefinitionNode,
} from "graphql";
import {
  MAX_REPORTED_VALUE_PROBLEMS,
  describeProblem,
  invalidVariablesError,
  rewriteLiteralValueErrors,
} from "./input-values";

const schema = buildSchema(`
  enum Role { OWNER MEMBER }
  input Entry { cidrBlock: String, comment: String }
  input KeyInput { name: String!, roles: [Role!]!, entries: [Entry!], size: Int }
  type Query { key(input: KeyInput!, id: ID!): Boolean, page(first: Int = 20): Boolean }
`);
const SECRET = "s3cr3t-value-that-must-not-come-back";

const operationOf = (source: string) => parse(source).definitions[0] as OperationDefinitionNode;
const keyOperation = operationOf(
  "query ($input: KeyInput!, $id: ID!) { key(input: $input, id: $id) }",
);
const errorOf = (variables: Record<string, unknown>) =>
  invalidVariablesError(schema, keyOperation, variables);
const valid = { name: "n", roles: ["OWNER"] };

describe("invalidVariablesError", () => {
  it("accepts variables that fit, including a single value for a list", () => {
    assert.equal(errorOf({ input: valid, id: "x" }), null);
    assert.equal(errorOf({ input: { ...valid, roles: "MEMBER" }, id: 1 }), null);
  });

  it("is a BAD_USER_INPUT error with HTTP 400, naming the variable and the path", () => {
    const error = errorOf({ input: { ...valid, roles: ["OWNER", SECRET] }, id: "x" });
    assert.equal(error?.extensions.code, "BAD_USER_INPUT");
    assert.deepEqual(error?.extensions.http, { status: 400 });
    assert.equal(
      error?.message,
      'Variable "$input" got an invalid value at "input.roles[1]": expected one of the values of enum "Role", got a string.',
    );
  });

  it("never quotes the value, whatever its kind", () => {
    for (const bad of [SECRET, { [SECRET]: SECRET }, [SECRET], 3.5, true]) {
      const message = errorOf({ input: { ...valid, name: bad, roles: bad }, id: "x" })!.message;
      assert.equal(message.includes(SECRET), false, message);
      assert.equal(message.includes("3.5"), false, message);
    }
  });

  it("names the fields an input object lacks, and counts those it does not define", () => {
    const message = errorOf({
      input: { roles: ["OWNER"], [SECRET]: 1, other: 2 },
      id: "x",
    })!.message;
    assert.match(
      message,
      /"KeyInput" needs the field "name" and has 2 fields that it does not define/,
    );
    assert.equal(message.includes(SECRET), false);
  });

  it("reports variables that are missing or null for a non-null type", () => {
    assert.match(
      errorOf({})!.message,
      /Variable "\$input" of required type "KeyInput!" was not provided/,
    );
    assert.match(
      errorOf({ input: null, id: "x" })!.message,
      /"\$input" of non-null type "KeyInput!" must not be null/,
    );
    const page = operationOf("query ($first: Int = 20) { page(first: $first) }");
    assert.equal(invalidVariablesError(schema, page, {}), null, "a default value fills in");
  });

  it("stops after a few problems, so a list of thousands of bad items costs little", () => {
    const roles = Array.from({ length: 100_000 }, () => null);
    const started = process.hrtime.bigint();
    const message = errorOf({ input: { ...valid, roles }, id: "x" })!.message;
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(message.split("; ").length, MAX_REPORTED_VALUE_PROBLEMS + 1);
    assert.match(message, /and more problems not listed\.$/);
    assert.ok(elapsedMs < 1_000, `${elapsedMs} ms`);
  });

  it("describes out-of-range integers by the type's range", () => {
    assert.match(
      errorOf({ input: { ...valid, size: 2 ** 31 }, id: "x" })!.message,
      /at "input.size": expected a 32-bit signed integer \("Int"\), got an integer/,
    );
  });
});

describe("describeProblem", () => {
  const type = (name: string) => schema.getType(name) as GraphQLInputType;

  it("says what was expected and what kind of value came", () => {
    assert.equal(
      describeProblem(type("Role"), { kind: "integer" }),
      'expected one of the values of enum "Role", got an integer',
    );
    assert.equal(
      describeProblem(type("Entry"), { kind: "list" }),
      'expected an object of type "Entry", got a list',
    );
  });
});

describe("rewriteLiteralValueErrors", () => {
  const rewritten = (source: string) => {
    const document = parse(source);
    const errors = validate(schema, document, specifiedRules);
    rewriteLiteralValueErrors(schema, document, errors);
    return errors.map((error) => error.message);
  };

  it("rebuilds messages about literals from the expected type and the literal's shape", () => {
    const messages = rewritten(
      `{ key(input: { name: 1, roles: "${SECRET}" }, id: "x") page(first: "${SECRET}") }`,
    );
    assert.deepEqual(messages, [
      'Invalid value at line 1, column 22: expected a string ("String"), got an integer.',
      'Invalid value at line 1, column 32: expected one of the values of enum "Role", got a string.',
      'Invalid value at line 1, column 95: expected a 32-bit signed integer ("Int"), got a string.',
    ]);
  });

  it("does not repeat an unknown field's name or an unknown enum value", () => {
    const messages = rewritten(
      `{ key(input: { name: "n", roles: [ROOT], ${SECRET.replace(/-/g, "_")}: 1 }, id: "x") }`,
    );
    assert.equal(messages.length, 2);
    for (const message of messages) assert.equal(message.includes("s3cr3t"), false, message);
    assert.ok(
      messages.includes(
        'Invalid value at line 1, column 35: expected one of the values of enum "Role", got an enum value that it does not have.',
      ),
      messages.join("\n"),
    );
  });

  it("leaves errors that are not about values as they are", () => {
    assert.deepEqual(rewritten("{ nope }"), ['Cannot query field "nope" on type "Query".']);
  });
});
