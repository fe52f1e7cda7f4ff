import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { buildSchema, parse, validate } from "graphql";
import type { Client } from "./support/client";
import { Seed, type KeyFixture, type OrganizationFixture } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const ROOT = path.join(__dirname, "..", "..");
const README = readFileSync(path.join(ROOT, "README.md"), "utf8");

interface Command {
  /** "owner" for `Authorization: Bearer $TOKEN`, "new key" for `-u "$PUBLIC_KEY:$NEW_PRIVATE_KEY"`. */
  as: "owner" | "new key";
  /** The body with every shell variable `'"$NAME"'` left as `{{NAME}}`, to be filled in. */
  body: string;
}

/** The curl commands of one README section, in order. */
function commandsOf(heading: string): Command[] {
  const start = README.indexOf(`### ${heading}\n`);
  assert.ok(start >= 0, `README.md has a "### ${heading}" section`);
  const section = README.slice(start, README.indexOf("\n## ", start));
  return [...section.matchAll(/curl -sS "\$API"([^\n]*)\\\n\s+-d '([\s\S]*?)'\n/g)].map(
    ([, options, body]) => {
      const as = options.includes('-u "$PUBLIC_KEY:$NEW_PRIVATE_KEY"')
        ? "new key"
        : options.includes('"Authorization: Bearer $TOKEN"')
          ? "owner"
          : assert.fail(`who sends ${body}?`);
      return { as, body: body.replace(/'"\$(\w+)"'/g, "{{$1}}") };
    },
  );
}

describe("README.md: the rotation workflow runs as written", () => {
  let service: TestService;
  let org: OrganizationFixture;
  let key: KeyFixture;
  const commands = commandsOf("Rotating a key's private key");

  before(async () => {
    service = await startTestService();
    org = await (await new Seed(service.client).user()).organization();
    key = await org.apiKey();
  });
  after(() => service.stop());

  it("has three commands, each a valid operation of schema.graphql", () => {
    const schema = buildSchema(readFileSync(path.join(ROOT, "schema.graphql"), "utf8"));
    assert.deepEqual(
      commands.map((command) => command.as),
      ["owner", "new key", "owner"],
    );
    for (const { body } of commands) {
      const { query } = JSON.parse(body.replace(/\{\{\w+\}\}/g, "x"));
      assert.deepEqual(validate(schema, parse(query)), [], query);
    }
  });

  it("rotate with a one-day grace, switch clients, revoke the old secret", async () => {
    const variables: Record<string, string> = { KEY_ID: key.id };
    const send = async (command: Command, client: Client) => {
      const filled = command.body.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
        assert.ok(name in variables, `the workflow has said where ${name} comes from`);
        return variables[name];
      });
      const body = JSON.parse(filled);
      return client.query(body.query, body.variables);
    };

    const rotated = (await send(commands[0], org.client)).rotateApiKeySecret;
    assert.deepEqual(rotated.userErrors, []);
    const [newest, older] = rotated.apiKey.secrets;
    const grace = Date.parse(older.expiresAt) - Date.parse(newest.createdAt);
    assert.ok(Math.abs(grace - 86_400_000) < 5_000, `a one-day grace, not ${grace} ms`);
    variables.OLD_SECRET_ID = older.id;
    const switched = key.withPrivateKey(rotated.privateKey);

    const { viewer } = await send(commands[1], switched.client);
    assert.equal(viewer.publicKey, key.publicKey);
    assert.equal((await key.client.raw(`{ viewer { __typename } }`)).status, 200, "during grace");

    const revoked = (await send(commands[2], org.client)).revokeApiKeySecret;
    assert.deepEqual(revoked.userErrors, []);
    assert.deepEqual(revoked.apiKey.secrets, [{ id: newest.id }]);
    assert.equal((await key.client.raw(`{ viewer { __typename } }`)).status, 401, "old: revoked");
    assert.equal((await switched.client.raw(`{ viewer { __typename } }`)).status, 200);
  });
});

describe("README.md: the audit trail example", () => {
  let service: TestService;
  after(() => service?.stop());

  it("is a valid operation that reads a key's creation as its organization's owner sees it", async () => {
    const start = README.indexOf("## Audit trail\n");
    const section = README.slice(start, README.indexOf("\n## ", start + 1));
    const [command] = [...section.matchAll(/curl -sS "\$API"[^\n]*\\\n\s+-d '([\s\S]*?)'\n/g)];
    assert.ok(command, "the section has a curl command");
    const schema = buildSchema(readFileSync(path.join(ROOT, "schema.graphql"), "utf8"));
    service = await startTestService();
    const owner = await new Seed(service.client).user();
    const org = await owner.organization();
    const key = await org.apiKey({ roles: ["ORG_MEMBER"] });
    const variables: Record<string, string> = { ORG_ID: org.id, API_KEY_ID: key.id };
    const body = JSON.parse(
      command[1].replace(/'"\$(\w+)"'/g, (_, name: string) => variables[name]),
    );
    assert.deepEqual(validate(schema, parse(body.query)), []);
    const { organization } = await owner.client.query(body.query, body.variables);
    assert.equal(organization.events.totalCount, 1);
    const [{ node }] = organization.events.edges;
    assert.equal(node.type, "API_KEY_CREATED");
    assert.equal(node.actor.email, owner.email);
    assert.deepEqual(node.roles, ["ORG_MEMBER"]);
  });
});
