import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { toGlobalId } from "../src/graphql/global-id";
import type { Client } from "./support/client";
import {
  Seed,
  type AccessListEntryInput,
  type KeyFixture,
  type OrganizationFixture,
  type UserActor,
} from "./support/seed";
import { startTestService, type TestService } from "./support/service";

const USER_ERRORS = `userErrors { code field message }`;
const ENTRIES = `accessList { ipAddress cidrBlock comment createdAt lastUsedAt lastUsedAddress usageCount }`;
const ADD = `mutation ($input: AddApiKeyAccessListEntriesInput!) {
  addApiKeyAccessListEntries(input: $input) { apiKey { id ${ENTRIES} } ${USER_ERRORS} } }`;
const REMOVE = `mutation ($input: RemoveApiKeyAccessListEntryInput!) {
  removeApiKeyAccessListEntry(input: $input) { apiKey { id ${ENTRIES} } ${USER_ERRORS} } }`;
const READ_LIST = `query ($id: ID!) { apiKey(id: $id) { ${ENTRIES} } }`;
const UNASSIGN = `mutation ($input: UnassignApiKeyFromProjectInput!) {
  unassignApiKeyFromProject(input: $input) { apiKey { id } ${USER_ERRORS} } }`;

const unknownKeyId = () => toGlobalId("ApiKey", randomUUID());

/** `[code, "input.field"]` pairs, de-duplicated and sorted, for comparing user errors. */
function problems(errors: { code: string; field: string[] | null }[]): [string, string][] {
  const seen = new Set(errors.map((e) => `${e.code} ${(e.field ?? []).join(".")}`));
  return [...seen].sort().map((text) => text.split(" ") as [string, string]);
}

/** A key's access list as `[cidrBlock, ipAddress]` pairs, sorted by block. */
function listed(
  entries: { cidrBlock: string; ipAddress: string | null }[],
): [string, string | null][] {
  return entries
    .map((entry): [string, string | null] => [entry.cidrBlock, entry.ipAddress])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

async function listOf(client: Client, key: KeyFixture): Promise<[string, string | null][]> {
  return listed((await client.query(READ_LIST, { id: key.id })).apiKey.accessList);
}

/** `count` distinct single addresses inside 10.77.0.0/16. */
function addresses(count: number, offset = 0): AccessListEntryInput[] {
  return Array.from({ length: count }, (_, i) => ({
    ipAddress: `10.77.${(i + offset) >> 8}.${(i + offset) & 255}`,
  }));
}

describe("API key access lists", () => {
  let service: TestService;
  let seed: Seed;
  let owner: UserActor;
  let org: OrganizationFixture;
  before(async () => {
    service = await startTestService();
    seed = new Seed(service.client);
    owner = await seed.user();
    org = await owner.organization();
  });
  after(() => service.stop());

  const add = (client: Client, key: KeyFixture, entries: AccessListEntryInput[]) =>
    client.mutate(ADD, { input: { apiKeyId: key.id, entries } });
  const addErrors = (client: Client, key: KeyFixture, entries: AccessListEntryInput[]) =>
    client.userErrors(ADD, { input: { apiKeyId: key.id, entries } });

  describe("addApiKeyAccessListEntries", () => {
    it("stores IPv4 and IPv6 addresses as /32 and /128, listed with ipAddress set", async () => {
      const key = await org.apiKey({ accessList: [] });
      const payload = await add(owner.client, key, [
        { ipAddress: "192.0.2.1", comment: "office" },
        { ipAddress: "2001:db8::1" },
      ]);
      assert.equal(payload.apiKey.id, key.id);
      assert.deepEqual(listed(payload.apiKey.accessList), [
        ["192.0.2.1/32", "192.0.2.1"],
        ["2001:db8::1/128", "2001:db8::1"],
      ]);
      const office = payload.apiKey.accessList.find((e: any) => e.ipAddress === "192.0.2.1");
      assert.equal(office.comment, "office");
      assert.equal(office.usageCount, 0);
      assert.equal(office.lastUsedAt, null);
      assert.equal(office.lastUsedAddress, null);
      assert.ok(!Number.isNaN(Date.parse(office.createdAt)));
      assert.deepEqual(await listOf(owner.client, key), listed(payload.apiKey.accessList));
    });

    it("stores IPv4 and IPv6 blocks, listed with ipAddress null", async () => {
      const key = await org.apiKey({ accessList: [] });
      const payload = await add(owner.client, key, [
        { cidrBlock: "10.0.0.0/8" },
        { cidrBlock: "2001:db8:abcd::/48" },
        { cidrBlock: "192.0.2.7/32" },
      ]);
      assert.deepEqual(listed(payload.apiKey.accessList), [
        ["10.0.0.0/8", null],
        ["192.0.2.7/32", null],
        ["2001:db8:abcd::/48", null],
      ]);
    });

    it("lists addresses in canonical form; an IPv4-mapped IPv6 address as IPv4", async () => {
      const key = await org.apiKey({ accessList: [] });
      const payload = await add(owner.client, key, [
        { ipAddress: "2001:0DB8:0000::0002" },
        { ipAddress: "::ffff:198.51.100.9" },
        { cidrBlock: "2001:DB8:1::/48" },
      ]);
      assert.deepEqual(listed(payload.apiKey.accessList), [
        ["198.51.100.9/32", "198.51.100.9"],
        ["2001:db8:1::/48", null],
        ["2001:db8::2/128", "2001:db8::2"],
      ]);
    });

    it("adds to the entries already there", async () => {
      const key = await org.apiKey({ accessList: [{ cidrBlock: "127.0.0.0/8" }] });
      await add(owner.client, key, [{ ipAddress: "192.0.2.1" }]);
      assert.deepEqual(await listOf(owner.client, key), [
        ["127.0.0.0/8", null],
        ["192.0.2.1/32", "192.0.2.1"],
      ]);
    });

    describe("user errors (all-or-nothing)", () => {
      it("refuses a non-canonical block, suggesting the canonical one", async () => {
        const key = await org.apiKey({ accessList: [] });
        const errors = await addErrors(owner.client, key, [{ cidrBlock: "10.0.0.1/8" }]);
        assert.deepEqual(problems(errors), [
          ["INVALID_ACCESS_LIST_ENTRY", "input.entries.0.cidrBlock"],
        ]);
        assert.match(errors[0].message, /10\.0\.0\.0\/8/);
        const v6 = await addErrors(owner.client, key, [{ cidrBlock: "2001:db8::1/32" }]);
        assert.match(v6[0].message, /2001:db8::\/32/);
        assert.deepEqual(await listOf(owner.client, key), []);
      });

      it("needs exactly one of ipAddress and cidrBlock in each entry", async () => {
        const key = await org.apiKey({ accessList: [] });
        const errors = await addErrors(owner.client, key, [
          { ipAddress: "192.0.2.1", cidrBlock: "192.0.2.0/24" },
          { comment: "neither" },
        ]);
        assert.deepEqual(problems(errors), [
          ["INVALID_ACCESS_LIST_ENTRY", "input.entries.0"],
          ["INVALID_ACCESS_LIST_ENTRY", "input.entries.1"],
        ]);
      });

      it("refuses malformed addresses and blocks on their own fields", async () => {
        const key = await org.apiKey({ accessList: [] });
        const errors = await addErrors(owner.client, key, [
          { ipAddress: "10.1" },
          { ipAddress: "192.0.2.0/24" },
          { cidrBlock: "10.0.0.0/33" },
          { cidrBlock: "2001:db8::/129" },
          { cidrBlock: "192.0.2.1" },
          { ipAddress: "example.com" },
        ]);
        assert.deepEqual(problems(errors), [
          ["INVALID_ACCESS_LIST_ENTRY", "input.entries.0.ipAddress"],
          ["INVALID_ACCESS_LIST_ENTRY", "input.entries.1.ipAddress"],
          ["INVALID_ACCESS_LIST_ENTRY", "input.entries.2.cidrBlock"],
          ["INVALID_ACCESS_LIST_ENTRY", "input.entries.3.cidrBlock"],
          ["INVALID_ACCESS_LIST_ENTRY", "input.entries.4.cidrBlock"],
          ["INVALID_ACCESS_LIST_ENTRY", "input.entries.5.ipAddress"],
        ]);
        assert.ok(!JSON.stringify(errors).includes("example.com"), "values are not echoed");
      });

      it("adds nothing when one entry of the batch is bad", async () => {
        const key = await org.apiKey({ accessList: [{ cidrBlock: "127.0.0.0/8" }] });
        const errors = await addErrors(owner.client, key, [
          { ipAddress: "192.0.2.1" },
          { cidrBlock: "198.51.100.0/24" },
          { cidrBlock: "203.0.113.1/24" },
        ]);
        assert.deepEqual(problems(errors), [
          ["INVALID_ACCESS_LIST_ENTRY", "input.entries.2.cidrBlock"],
        ]);
        assert.deepEqual(await listOf(owner.client, key), [["127.0.0.0/8", null]]);
      });

      it("refuses a duplicate within the request, however it is written", async () => {
        const key = await org.apiKey({ accessList: [] });
        const errors = await addErrors(owner.client, key, [
          { ipAddress: "192.0.2.1" },
          { cidrBlock: "192.0.2.1/32" },
          { ipAddress: "2001:db8::1" },
          { ipAddress: "2001:DB8:0::1" },
        ]);
        assert.deepEqual(problems(errors), [
          ["DUPLICATE_ACCESS_LIST_ENTRY", "input.entries.1"],
          ["DUPLICATE_ACCESS_LIST_ENTRY", "input.entries.3"],
        ]);
        assert.deepEqual(await listOf(owner.client, key), []);
      });

      it("refuses an entry already on the list, adding none of the batch", async () => {
        const key = await org.apiKey({ accessList: [{ ipAddress: "192.0.2.1" }] });
        const errors = await addErrors(owner.client, key, [
          { cidrBlock: "198.51.100.0/24" },
          { cidrBlock: "192.0.2.1/32" },
        ]);
        assert.deepEqual(problems(errors), [["DUPLICATE_ACCESS_LIST_ENTRY", "input.entries.1"]]);
        assert.deepEqual(await listOf(owner.client, key), [["192.0.2.1/32", "192.0.2.1"]]);
      });

      it("refuses an empty batch and a comment over 250 characters with INVALID_INPUT", async () => {
        const key = await org.apiKey({ accessList: [] });
        assert.deepEqual(problems(await addErrors(owner.client, key, [])), [
          ["INVALID_INPUT", "input.entries"],
        ]);
        const long = await addErrors(owner.client, key, [
          { ipAddress: "192.0.2.1", comment: "c".repeat(251) },
        ]);
        assert.deepEqual(problems(long), [["INVALID_INPUT", "input.entries.0.comment"]]);
      });

      it("holds at most 200 entries per key: LIMIT_EXCEEDED past that", async () => {
        const key = await org.apiKey({ accessList: addresses(199) });
        const errors = await addErrors(owner.client, key, addresses(2, 199));
        assert.deepEqual(problems(errors), [["LIMIT_EXCEEDED", "input.entries"]]);
        assert.equal((await listOf(owner.client, key)).length, 199);

        await add(owner.client, key, addresses(1, 199));
        assert.equal((await listOf(owner.client, key)).length, 200);
        const full = await addErrors(owner.client, key, [{ ipAddress: "192.0.2.1" }]);
        assert.deepEqual(problems(full), [["LIMIT_EXCEEDED", "input.entries"]]);
        assert.equal((await listOf(owner.client, key)).length, 200);
      });

      it("refuses a request of more than 200 entries with INVALID_INPUT", async () => {
        const key = await org.apiKey({ accessList: [] });
        const errors = await addErrors(owner.client, key, addresses(201));
        assert.deepEqual(problems(errors), [["INVALID_INPUT", "input.entries"]]);
        assert.deepEqual(await listOf(owner.client, key), []);
      });
    });

    describe("who may add", () => {
      it("an ORG_OWNER key may change another key's list, and its own", async () => {
        const ownerKey = await org.apiKey({ roles: ["ORG_OWNER"] });
        const key = await org.apiKey({ accessList: [] });
        await add(ownerKey.client, key, [{ ipAddress: "192.0.2.1" }]);
        await add(ownerKey.client, ownerKey, [{ ipAddress: "192.0.2.2" }]);
        assert.deepEqual(await listOf(owner.client, key), [["192.0.2.1/32", "192.0.2.1"]]);
        assert.deepEqual(await listOf(owner.client, ownerKey), [
          ["127.0.0.0/8", null],
          ["192.0.2.2/32", "192.0.2.2"],
        ]);
      });

      it("a GROUP_OWNER or GROUP_USER_ADMIN of every project of an ORG_MEMBER key may", async () => {
        const first = await org.project();
        const second = await org.project();
        const key = await first.apiKey({ accessList: [] });
        await second.assign(key, ["GROUP_READ_ONLY"]);
        const both = await first.member(["GROUP_OWNER"]);
        await second.addMember(both, ["GROUP_USER_ADMIN"]);
        await add(both.client, key, [{ ipAddress: "192.0.2.1" }]);
        assert.deepEqual(await listOf(owner.client, key), [["192.0.2.1/32", "192.0.2.1"]]);
      });

      it("an admin of only one of the key's two projects is FORBIDDEN", async () => {
        const first = await org.project();
        const second = await org.project();
        const key = await first.apiKey({ accessList: [] });
        await second.assign(key, ["GROUP_READ_ONLY"]);
        for (const admin of [
          await first.member(["GROUP_OWNER"]),
          await second.member(["GROUP_USER_ADMIN"]),
        ]) {
          const code = await admin.client.errorCode(ADD, {
            input: { apiKeyId: key.id, entries: [{ cidrBlock: "0.0.0.0/0" }] },
          });
          assert.equal(code, "FORBIDDEN");
        }
        assert.deepEqual(await listOf(owner.client, key), []);
      });

      it("a project admin may not change the list of a key holding an organization role beyond ORG_MEMBER", async () => {
        const project = await org.project();
        const admin = await project.member(["GROUP_OWNER"]);
        for (const roles of [["ORG_OWNER"], ["ORG_MEMBER", "ORG_READ_ONLY"]]) {
          const key = await org.apiKey({ roles, accessList: [] });
          await project.assign(key, ["GROUP_READ_ONLY"]);
          const code = await admin.client.errorCode(ADD, {
            input: { apiKeyId: key.id, entries: [{ cidrBlock: "0.0.0.0/0" }] },
          });
          assert.equal(code, "FORBIDDEN", roles.join());
          assert.deepEqual(await listOf(owner.client, key), []);
        }
      });

      it("a key assigned to no project needs an ORG_OWNER: its former project admin sees nothing", async () => {
        const project = await org.project();
        const admin = await project.member(["GROUP_OWNER"]);
        const key = await project.apiKey({ accessList: [] });
        await admin.client.mutate(UNASSIGN, { input: { projectId: project.id, apiKeyId: key.id } });
        const errors = await admin.client.userErrors(ADD, {
          input: { apiKeyId: key.id, entries: [{ ipAddress: "192.0.2.1" }] },
        });
        assert.deepEqual(problems(errors), [["NOT_FOUND", "input.apiKeyId"]]);
        await add(owner.client, key, [{ ipAddress: "192.0.2.1" }]);
      });

      it("a GROUP_READ_ONLY of the key's project, an ORG_MEMBER and another organization get what an unknown id gets", async () => {
        const project = await org.project();
        const key = await project.apiKey({ accessList: [] });
        const callers: [string, Client][] = [
          ["GROUP_READ_ONLY", (await project.member(["GROUP_READ_ONLY"])).client],
          ["ORG_MEMBER", (await org.member(["ORG_MEMBER"])).client],
          ["another organization", (await (await seed.user()).organization()).client],
        ];
        for (const [who, client] of callers) {
          const vars = (id: string) => ({
            input: { apiKeyId: id, entries: [{ cidrBlock: "0.0.0.0/0" }] },
          });
          const foreign = await client.raw(ADD, vars(key.id));
          const unknown = await client.raw(ADD, vars(unknownKeyId()));
          assert.deepEqual(foreign.data, unknown.data, who);
          assert.deepEqual(foreign.errors, unknown.errors, who);
          assert.ok(!foreign.text.includes(key.id), who);
          const errors = (foreign.data as any).addApiKeyAccessListEntries.userErrors;
          assert.deepEqual(problems(errors), [["NOT_FOUND", "input.apiKeyId"]], who);
        }
        assert.deepEqual(await listOf(owner.client, key), []);
      });

      it("an anonymous caller is UNAUTHENTICATED", async () => {
        const key = await org.apiKey({ accessList: [] });
        const code = await service.client.errorCode(ADD, {
          input: { apiKeyId: key.id, entries: [{ cidrBlock: "0.0.0.0/0" }] },
        });
        assert.equal(code, "UNAUTHENTICATED");
      });
    });
  });

  describe("removeApiKeyAccessListEntry", () => {
    it("removes an address by its listed ipAddress, or by its /32 block", async () => {
      const key = await org.apiKey({
        accessList: [
          { ipAddress: "192.0.2.1" },
          { ipAddress: "192.0.2.2" },
          { cidrBlock: "127.0.0.0/8" },
        ],
      });
      const payload = await owner.client.mutate(REMOVE, {
        input: { apiKeyId: key.id, entry: "192.0.2.1" },
      });
      assert.deepEqual(listed(payload.apiKey.accessList), [
        ["127.0.0.0/8", null],
        ["192.0.2.2/32", "192.0.2.2"],
      ]);
      await owner.client.mutate(REMOVE, { input: { apiKeyId: key.id, entry: "192.0.2.2/32" } });
      assert.deepEqual(await listOf(owner.client, key), [["127.0.0.0/8", null]]);
    });

    it("removes IPv4 and IPv6 blocks and IPv6 addresses by their listed strings", async () => {
      const key = await org.apiKey({
        accessList: [
          { cidrBlock: "10.0.0.0/8" },
          { cidrBlock: "2001:db8::/32" },
          { ipAddress: "2001:db8:1::5" },
          { cidrBlock: "127.0.0.0/8" },
        ],
      });
      for (const entry of ["10.0.0.0/8", "2001:db8::/32", "2001:db8:1::5"]) {
        await owner.client.mutate(REMOVE, { input: { apiKeyId: key.id, entry } });
      }
      assert.deepEqual(await listOf(owner.client, key), [["127.0.0.0/8", null]]);
    });

    it("every entry can be removed by the strings it is listed with, IPv4-compatible IPv6 included", async () => {
      const key = await org.apiKey({ accessList: [] });
      const added = await add(owner.client, key, [
        { ipAddress: "::102:304" },
        { ipAddress: "::ffff:5.6.7.8" },
        { cidrBlock: "::1:0/112" },
        { ipAddress: "::100" },
        { cidrBlock: "2001:db8:0:0:1::/80" },
      ]);
      for (const entry of added.apiKey.accessList) {
        const listedAs = entry.ipAddress ?? entry.cidrBlock;
        await owner.client.mutate(REMOVE, { input: { apiKeyId: key.id, entry: listedAs } });
      }
      assert.deepEqual(await listOf(owner.client, key), []);
    });

    it("an entry not on the list is NOT_FOUND on input.entry", async () => {
      const key = await org.apiKey({ accessList: [{ cidrBlock: "10.0.0.0/8" }] });
      for (const entry of ["10.0.0.0/16", "192.0.2.1", "2001:db8::/32"]) {
        const errors = await owner.client.userErrors(REMOVE, {
          input: { apiKeyId: key.id, entry },
        });
        assert.deepEqual(problems(errors), [["NOT_FOUND", "input.entry"]], entry);
      }
      assert.deepEqual(await listOf(owner.client, key), [["10.0.0.0/8", null]]);
    });

    it("an entry that is no address or block is INVALID_ACCESS_LIST_ENTRY on input.entry", async () => {
      const key = await org.apiKey({ accessList: [{ cidrBlock: "10.0.0.0/8" }] });
      for (const entry of ["10.0.0.1/8", "10.1", "not an address"]) {
        const errors = await owner.client.userErrors(REMOVE, {
          input: { apiKeyId: key.id, entry },
        });
        assert.deepEqual(problems(errors), [["INVALID_ACCESS_LIST_ENTRY", "input.entry"]], entry);
      }
    });

    describe("a key removing its own entries", () => {
      it("may not remove the entry that admits its current request", async () => {
        const key = await org.apiKey({
          roles: ["ORG_OWNER"],
          accessList: [{ ipAddress: "127.0.0.1" }],
        });
        const errors = await key.client.userErrors(REMOVE, {
          input: { apiKeyId: key.id, entry: "127.0.0.1" },
        });
        assert.deepEqual(problems(errors), [
          ["CANNOT_REMOVE_CALLER_FROM_ACCESS_LIST", "input.entry"],
        ]);
        assert.match(errors[0].message, /127\.0\.0\.1/);
        assert.deepEqual(await listOf(owner.client, key), [["127.0.0.1/32", "127.0.0.1"]]);
      });

      it("may remove an entry that does not admit the current request", async () => {
        const key = await org.apiKey({
          roles: ["ORG_OWNER"],
          accessList: [{ ipAddress: "127.0.0.1" }, { ipAddress: "127.0.0.2" }],
        });
        const from2 = { localAddress: "127.0.0.2" };
        await key.client.mutate(REMOVE, { input: { apiKeyId: key.id, entry: "127.0.0.1" } }, from2);
        const errors = await key.client.userErrors(
          REMOVE,
          { input: { apiKeyId: key.id, entry: "127.0.0.2" } },
          from2,
        );
        assert.deepEqual(problems(errors), [
          ["CANNOT_REMOVE_CALLER_FROM_ACCESS_LIST", "input.entry"],
        ]);
        assert.deepEqual(await listOf(owner.client, key), [["127.0.0.2/32", "127.0.0.2"]]);
      });

      it("another key or a user may remove the entry that admits the key", async () => {
        const key = await org.apiKey({
          roles: ["ORG_OWNER"],
          accessList: [{ ipAddress: "127.0.0.1" }],
        });
        const other = await org.apiKey({
          roles: ["ORG_OWNER"],
          accessList: [{ ipAddress: "127.0.0.1" }],
        });
        await other.client.mutate(REMOVE, { input: { apiKeyId: key.id, entry: "127.0.0.1" } });
        assert.deepEqual(await listOf(owner.client, key), []);
        await owner.client.mutate(REMOVE, { input: { apiKeyId: other.id, entry: "127.0.0.1" } });
        assert.deepEqual(await listOf(owner.client, other), []);
      });
    });

    describe("who may remove", () => {
      it("the same rule as adding: an admin of only one of the key's projects is FORBIDDEN", async () => {
        const first = await org.project();
        const second = await org.project();
        const key = await first.apiKey({ accessList: [{ cidrBlock: "10.0.0.0/8" }] });
        await second.assign(key, ["GROUP_READ_ONLY"]);
        const admin = await first.member(["GROUP_OWNER"]);
        const code = await admin.client.errorCode(REMOVE, {
          input: { apiKeyId: key.id, entry: "10.0.0.0/8" },
        });
        assert.equal(code, "FORBIDDEN");
        await second.addMember(admin, ["GROUP_OWNER"]);
        await admin.client.mutate(REMOVE, { input: { apiKeyId: key.id, entry: "10.0.0.0/8" } });
        assert.deepEqual(await listOf(owner.client, key), []);
      });

      it("a project admin may not touch a key with an ORG_OWNER role: FORBIDDEN", async () => {
        const project = await org.project();
        const key = await org.apiKey({
          roles: ["ORG_OWNER"],
          accessList: [{ cidrBlock: "10.0.0.0/8" }],
        });
        await project.assign(key, ["GROUP_OWNER"]);
        const admin = await project.member(["GROUP_OWNER"]);
        const code = await admin.client.errorCode(REMOVE, {
          input: { apiKeyId: key.id, entry: "10.0.0.0/8" },
        });
        assert.equal(code, "FORBIDDEN");
        assert.deepEqual(await listOf(owner.client, key), [["10.0.0.0/8", null]]);
      });

      it("another organization gets what an unknown id gets", async () => {
        const key = await org.apiKey({ accessList: [{ cidrBlock: "10.0.0.0/8" }] });
        const stranger = (await (await seed.user()).organization()).client;
        const vars = (id: string) => ({ input: { apiKeyId: id, entry: "10.0.0.0/8" } });
        const foreign = await stranger.raw(REMOVE, vars(key.id));
        const unknown = await stranger.raw(REMOVE, vars(unknownKeyId()));
        assert.deepEqual(foreign.data, unknown.data);
        assert.ok(!foreign.text.includes(key.id));
        assert.deepEqual(problems((foreign.data as any).removeApiKeyAccessListEntry.userErrors), [
          ["NOT_FOUND", "input.apiKeyId"],
        ]);
        assert.deepEqual(await listOf(owner.client, key), [["10.0.0.0/8", null]]);
      });
    });
  });
});
