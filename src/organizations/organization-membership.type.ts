import { Field, ObjectType } from "type-graphql";
import { OrganizationRole } from "../auth/roles.graphql";
import { ConnectionType } from "../graphql/connection";
import { User } from "../users/user.type";
import type { OrganizationMembershipEntity } from "./organization-membership.entity";
import { Organization } from "./organization.type";

@ObjectType()
export class OrganizationMembership {
  @Field(() => [OrganizationRole])
  roles!: OrganizationRole[];

  // `user` and `organization` resolve through loaders in OrganizationMembershipResolver.
  userId!: string;
  organizationId!: string;
  createdAt!: Date;

  static from(entity: OrganizationMembershipEntity): OrganizationMembership {
    return Object.assign(new OrganizationMembership(), {
      roles: entity.roles,
      userId: entity.userId,
      organizationId: entity.organizationId,
      createdAt: entity.createdAt,
    });
  }
}

export const OrganizationMembershipConnection = ConnectionType(
  "OrganizationMembershipConnection",
  "OrganizationMembershipEdge",
  () => OrganizationMembership,
);

export const OrganizationConnection = ConnectionType(
  "OrganizationConnection",
  "OrganizationEdge",
  () => Organization,
);

// Referenced for its registration side effect: User.organizations returns this connection.
void User;
