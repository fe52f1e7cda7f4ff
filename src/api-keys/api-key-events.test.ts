import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OrganizationRole } from "../auth/roles";
import { creationFacts, updateFacts } from "./api-key-events";
import type { ApiKeyEntity } from "./api-key.entity";

const KEY = {
  id: "0b6f1c2e-0000-4000-8000-000000000001",
  organizationId: "0b6f1c2e-0000-4000-8000-0000000000aa",
  publicKey: "abcdefgh",
  description: "deploy",
  roles: [OrganizationRole.ORG_MEMBER, OrganizationRole.ORG_READ_ONLY],
  enabled: true,
  expiresAt: new Date("2030-01-01T00:00:00.000Z"),
} as ApiKeyEntity;

describe("key event facts", () => {
  it("a creation is API_KEY_CREATED with the key's roles, then one fact per access-list entry", () => {
    const facts = creationFacts(
      { key: KEY, privateKey: "not recorded", accessList: ["10.0.0.0/8", "192.0.2.1/32"] },
      "project-id",
    );
    assert.deepEqual(
      facts.map((fact) => [fact.type, fact.roles ?? null, fact.accessListEntry ?? null]),
      [
        ["API_KEY_CREATED", KEY.roles, null],
        ["API_KEY_ACCESS_LIST_ENTRY_ADDED", null, "10.0.0.0/8"],
        ["API_KEY_ACCESS_LIST_ENTRY_ADDED", null, "192.0.2.1/32"],
      ],
    );
    for (const fact of facts) {
      assert.equal(fact.projectId, "project-id");
      assert.equal(fact.organizationId, KEY.organizationId);
      assert.ok(!JSON.stringify(fact).includes("not recorded"), "never the private key");
    }
  });

  it("an update is one fact per aspect that really changes, roles after the change", () => {
    const types = (changes: Partial<ApiKeyEntity>) =>
      updateFacts(KEY, changes).map((fact) => fact.type);
    assert.deepEqual(
      types({
        description: "other",
        roles: [OrganizationRole.ORG_OWNER],
        enabled: false,
        expiresAt: null,
      }),
      [
        "API_KEY_DESCRIPTION_CHANGED",
        "API_KEY_ROLES_CHANGED",
        "API_KEY_DISABLED",
        "API_KEY_EXPIRY_CHANGED",
      ],
    );
    assert.deepEqual(updateFacts(KEY, { roles: [OrganizationRole.ORG_OWNER] })[0].roles, [
      "ORG_OWNER",
    ]);
    assert.deepEqual(types({ enabled: true }), []);
    assert.deepEqual(
      types({
        description: "deploy",
        roles: [OrganizationRole.ORG_READ_ONLY, OrganizationRole.ORG_MEMBER],
        expiresAt: new Date("2030-01-01T00:00:00.000Z"),
      }),
      [],
      "the same values (roles in another order, the same instant) change nothing",
    );
    assert.deepEqual(types({ enabled: false }), ["API_KEY_DISABLED"]);
    assert.deepEqual(
      updateFacts({ ...KEY, enabled: false } as ApiKeyEntity, { enabled: true }).map((f) => f.type),
      ["API_KEY_ENABLED"],
    );
    assert.deepEqual(
      updateFacts({ ...KEY, expiresAt: null } as ApiKeyEntity, { expiresAt: null }),
      [],
    );
  });
});
