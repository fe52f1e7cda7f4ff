import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ALL_ORGANIZATION_ROLES,
  ALL_PROJECT_ROLES,
  OrganizationRole,
  ProjectRole,
  canGrant,
  effectiveOrganizationRoles,
  effectiveProjectRoles,
  holdsAny,
  isOrganizationRole,
  isProjectRole,
  normalizeRoles,
  seesEveryProject,
  ungrantableRoles,
} from "./roles";

const { ORG_OWNER, ORG_MEMBER, ORG_BILLING_ADMIN, ORG_BILLING_READ_ONLY, ORG_READ_ONLY } =
  OrganizationRole;
const { GROUP_OWNER, GROUP_USER_ADMIN, GROUP_READ_ONLY, GROUP_CLUSTER_MANAGER } = ProjectRole;

const sorted = (roles: Iterable<string>) => [...roles].sort();

describe("role names", () => {
  it("tells organization roles from project roles", () => {
    for (const role of ALL_ORGANIZATION_ROLES) {
      assert.equal(isOrganizationRole(role), true, role);
      assert.equal(isProjectRole(role), false, role);
    }
    for (const role of ALL_PROJECT_ROLES) {
      assert.equal(isProjectRole(role), true, role);
      assert.equal(isOrganizationRole(role), false, role);
    }
  });

  it("recognises no unknown or differently cased name", () => {
    for (const name of ["", "OWNER", "org_owner", "GROUP_OWNER ", "__proto__", "toString"]) {
      assert.equal(isOrganizationRole(name), false, name);
      assert.equal(isProjectRole(name), false, name);
    }
  });
});

describe("effectiveOrganizationRoles", () => {
  it("an ORG_OWNER holds every organization role", () => {
    assert.deepEqual(
      sorted(effectiveOrganizationRoles([ORG_OWNER])),
      sorted(ALL_ORGANIZATION_ROLES),
    );
  });

  it("an ORG_BILLING_ADMIN also holds ORG_BILLING_READ_ONLY and nothing more", () => {
    assert.deepEqual(
      sorted(effectiveOrganizationRoles([ORG_BILLING_ADMIN])),
      sorted([ORG_BILLING_ADMIN, ORG_BILLING_READ_ONLY]),
    );
  });

  it("an ORG_BILLING_READ_ONLY does not hold ORG_BILLING_ADMIN", () => {
    assert.deepEqual(sorted(effectiveOrganizationRoles([ORG_BILLING_READ_ONLY])), [
      ORG_BILLING_READ_ONLY,
    ]);
  });

  it("roles without implications are held as granted", () => {
    assert.deepEqual(
      sorted(effectiveOrganizationRoles([ORG_MEMBER, ORG_READ_ONLY])),
      sorted([ORG_MEMBER, ORG_READ_ONLY]),
    );
  });

  it("no roles granted means no roles held", () => {
    assert.equal(effectiveOrganizationRoles([]).size, 0);
  });
});

describe("effectiveProjectRoles", () => {
  it("an ORG_OWNER holds every project role in every project", () => {
    assert.deepEqual(sorted(effectiveProjectRoles([ORG_OWNER], [])), sorted(ALL_PROJECT_ROLES));
    assert.deepEqual(
      sorted(effectiveProjectRoles([ORG_OWNER], [GROUP_READ_ONLY])),
      sorted(ALL_PROJECT_ROLES),
    );
  });

  it("an ORG_READ_ONLY holds GROUP_READ_ONLY in every project", () => {
    assert.deepEqual(sorted(effectiveProjectRoles([ORG_READ_ONLY], [])), [GROUP_READ_ONLY]);
  });

  it("an ORG_READ_ONLY keeps the project roles granted to it besides GROUP_READ_ONLY", () => {
    assert.deepEqual(
      sorted(effectiveProjectRoles([ORG_READ_ONLY], [GROUP_CLUSTER_MANAGER])),
      sorted([GROUP_CLUSTER_MANAGER, GROUP_READ_ONLY]),
    );
  });

  it("a GROUP_OWNER holds every project role of its project", () => {
    assert.deepEqual(
      sorted(effectiveProjectRoles([ORG_MEMBER], [GROUP_OWNER])),
      sorted(ALL_PROJECT_ROLES),
    );
  });

  it("a plain ORG_MEMBER holds only the project roles granted to it", () => {
    assert.deepEqual(sorted(effectiveProjectRoles([ORG_MEMBER], [GROUP_USER_ADMIN])), [
      GROUP_USER_ADMIN,
    ]);
    assert.equal(effectiveProjectRoles([ORG_MEMBER], []).size, 0);
  });

  it("billing roles give no project role", () => {
    assert.equal(effectiveProjectRoles([ORG_BILLING_ADMIN, ORG_BILLING_READ_ONLY], []).size, 0);
  });
});

describe("seesEveryProject", () => {
  it("an ORG_OWNER or an ORG_READ_ONLY sees every project", () => {
    assert.equal(seesEveryProject([ORG_OWNER]), true);
    assert.equal(seesEveryProject([ORG_READ_ONLY]), true);
    assert.equal(seesEveryProject([ORG_MEMBER, ORG_READ_ONLY]), true);
  });

  it("no other organization role sees every project", () => {
    for (const role of ALL_ORGANIZATION_ROLES) {
      if (role === ORG_OWNER || role === ORG_READ_ONLY) continue;
      assert.equal(seesEveryProject([role]), false, role);
    }
    assert.equal(seesEveryProject([]), false);
  });
});

describe("holdsAny", () => {
  it("passes when one of the listed roles is held and fails otherwise", () => {
    const held = new Set([GROUP_READ_ONLY]);
    assert.equal(holdsAny(held, [GROUP_OWNER, GROUP_READ_ONLY]), true);
    assert.equal(holdsAny(held, [GROUP_OWNER]), false);
  });

  it("an empty list of acceptable roles is never satisfied", () => {
    assert.equal(holdsAny(new Set(ALL_PROJECT_ROLES), []), false);
  });
});

describe("canGrant and ungrantableRoles", () => {
  it("nobody grants an organization role they do not hold", () => {
    const caller = effectiveOrganizationRoles([ORG_MEMBER]);
    assert.equal(canGrant(caller, [ORG_BILLING_ADMIN]), false);
    assert.deepEqual(ungrantableRoles(caller, [ORG_MEMBER, ORG_BILLING_ADMIN, ORG_OWNER]), [
      ORG_BILLING_ADMIN,
      ORG_OWNER,
    ]);
  });

  it("nobody grants a project role they do not hold", () => {
    const caller = effectiveProjectRoles([ORG_MEMBER], [GROUP_CLUSTER_MANAGER]);
    assert.equal(canGrant(caller, [GROUP_CLUSTER_MANAGER]), true);
    assert.deepEqual(ungrantableRoles(caller, [GROUP_CLUSTER_MANAGER, GROUP_READ_ONLY]), [
      GROUP_READ_ONLY,
    ]);
  });

  it("a caller holding no role grants nothing", () => {
    assert.deepEqual(
      ungrantableRoles(new Set(), [...ALL_ORGANIZATION_ROLES, ...ALL_PROJECT_ROLES]),
      [...ALL_ORGANIZATION_ROLES, ...ALL_PROJECT_ROLES],
    );
  });

  it("a GROUP_USER_ADMIN may grant every project role except GROUP_OWNER", () => {
    const caller = effectiveProjectRoles([ORG_MEMBER], [GROUP_USER_ADMIN]);
    const allButOwner = ALL_PROJECT_ROLES.filter((role) => role !== GROUP_OWNER);
    assert.equal(canGrant(caller, allButOwner), true);
    assert.equal(canGrant(caller, [GROUP_OWNER]), false);
    assert.deepEqual(ungrantableRoles(caller, ALL_PROJECT_ROLES), [GROUP_OWNER]);
  });

  it("a GROUP_USER_ADMIN gains no organization role to grant", () => {
    const caller = new Set([ORG_MEMBER, GROUP_USER_ADMIN]);
    assert.deepEqual(ungrantableRoles(caller, [ORG_MEMBER, ORG_READ_ONLY, ORG_OWNER]), [
      ORG_READ_ONLY,
      ORG_OWNER,
    ]);
  });

  it("a GROUP_OWNER may grant every project role", () => {
    const caller = effectiveProjectRoles([ORG_MEMBER], [GROUP_OWNER]);
    assert.equal(canGrant(caller, ALL_PROJECT_ROLES), true);
  });

  it("an ORG_OWNER grants everything", () => {
    const organization = effectiveOrganizationRoles([ORG_OWNER]);
    const caller = new Set<OrganizationRole | ProjectRole>([
      ...organization,
      ...effectiveProjectRoles(organization, []),
    ]);
    assert.equal(canGrant(caller, ALL_ORGANIZATION_ROLES), true);
    assert.equal(canGrant(caller, ALL_PROJECT_ROLES), true);
    assert.deepEqual(
      ungrantableRoles(caller, [...ALL_ORGANIZATION_ROLES, ...ALL_PROJECT_ROLES]),
      [],
    );
  });

  it("an ORG_BILLING_ADMIN may grant ORG_BILLING_READ_ONLY", () => {
    const caller = effectiveOrganizationRoles([ORG_BILLING_ADMIN]);
    assert.equal(canGrant(caller, [ORG_BILLING_READ_ONLY]), true);
  });

  it("granting no roles is always allowed", () => {
    assert.equal(canGrant(new Set(), []), true);
    assert.deepEqual(ungrantableRoles(new Set(), []), []);
  });

  it("lists each refused role as often as it was requested, in request order", () => {
    assert.deepEqual(ungrantableRoles(new Set([ORG_MEMBER]), [ORG_OWNER, ORG_MEMBER, ORG_OWNER]), [
      ORG_OWNER,
      ORG_OWNER,
    ]);
  });
});

describe("normalizeRoles", () => {
  it("drops duplicates", () => {
    assert.deepEqual(normalizeRoles([GROUP_READ_ONLY, GROUP_READ_ONLY]), [GROUP_READ_ONLY]);
  });

  it("puts roles in declaration order", () => {
    assert.deepEqual(normalizeRoles([ORG_READ_ONLY, ORG_MEMBER, ORG_OWNER, ORG_MEMBER]), [
      ORG_OWNER,
      ORG_MEMBER,
      ORG_READ_ONLY,
    ]);
    assert.deepEqual(normalizeRoles([...ALL_PROJECT_ROLES].reverse()), [...ALL_PROJECT_ROLES]);
  });

  it("puts organization roles before project roles when mixed", () => {
    assert.deepEqual(
      normalizeRoles<OrganizationRole | ProjectRole>([GROUP_OWNER, ORG_READ_ONLY, ORG_OWNER]),
      [ORG_OWNER, ORG_READ_ONLY, GROUP_OWNER],
    );
  });

  it("leaves its argument untouched", () => {
    const roles = [GROUP_READ_ONLY, GROUP_OWNER];
    normalizeRoles(roles);
    assert.deepEqual(roles, [GROUP_READ_ONLY, GROUP_OWNER]);
  });

  it("normalizes the empty list to the empty list", () => {
    assert.deepEqual(normalizeRoles([]), []);
  });
});
