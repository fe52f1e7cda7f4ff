import type { Client } from "../client";
import { Seed, type KeyFixture, type UserActor } from "../seed";

/** The node types a global-id argument can name; `<type>Id` and `id` arguments resolve to them. */
export type FixtureType = "Organization" | "Project" | "ApiKey" | "User";
export type FixtureIds = Record<FixtureType, string>;

/** The entry every target key has on its access list. */
export const TARGET_KEY_ENTRY = "10.255.0.0/16";

/**
 * One organization with what its mutations act on, so that a baseline request succeeds:
 * a project, a member of both (the `User`), an organization member outside the project, a
 * target key assigned to the project (rotated once, so it holds two live secrets), an unassigned
 * key, and the ORG_OWNER key that calls.
 */
export interface World {
  ids: FixtureIds;
  unassignedKeyId: string;
  /** The target key's older secret, rotated out with an hour of grace left. */
  graceSecretId: string;
  outsideProjectMemberId: string;
  /** Signed up, member of nothing here: addOrganizationMember's email, logIn's credentials. */
  spare: UserActor;
  owner: Client;
  /** The ORG_OWNER key, on an access list of 127.0.0.0/8. */
  key: KeyFixture;
}

/** Builds worlds over the public API (test/support/seed.ts), sharing the users between them. */
export class WorldBuilder {
  private constructor(
    private readonly owner: UserActor,
    private readonly member: UserActor,
    private readonly outsider: UserActor,
    readonly spare: UserActor,
  ) {}

  static async start(seed: Seed): Promise<WorldBuilder> {
    const [owner, member, outsider, spare] = await Promise.all([
      seed.user(),
      seed.user(),
      seed.user(),
      seed.user(),
    ]);
    return new WorldBuilder(owner, member, outsider, spare);
  }

  async world(): Promise<World> {
    const organization = await this.owner.organization();
    const project = await organization.project();
    await organization.addMember(this.member, ["ORG_MEMBER"]);
    await project.addMember(this.member, ["GROUP_READ_ONLY"]);
    await organization.addMember(this.outsider, ["ORG_MEMBER"]);
    const key = await organization.apiKey({
      roles: ["ORG_OWNER"],
      accessList: [{ cidrBlock: "127.0.0.0/8" }],
    });
    const target = await organization.apiKey({
      accessList: [{ cidrBlock: TARGET_KEY_ENTRY, comment: "target" }],
    });
    await project.assign(target, ["GROUP_READ_ONLY"]);
    await target.rotate({ gracePeriodSeconds: 3_600 });
    const [, graceSecret] = await target.secrets();
    const unassigned = await organization.apiKey();
    return {
      ids: {
        Organization: organization.id,
        Project: project.id,
        ApiKey: target.id,
        User: this.member.id,
      },
      unassignedKeyId: unassigned.id,
      graceSecretId: graceSecret.id,
      outsideProjectMemberId: this.outsider.id,
      spare: this.spare,
      owner: this.owner.client,
      key,
    };
  }
}
