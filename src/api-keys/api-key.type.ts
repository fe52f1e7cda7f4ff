import { Field, Int, ObjectType } from "type-graphql";
import { OrganizationRole, ProjectRole } from "../auth/roles.graphql";
import { ConnectionType } from "../graphql/connection";
import { toGlobalId } from "../graphql/global-id";
import { Node } from "../graphql/node.type";
import type { AccessListEntryEntity } from "./access-list-entry.entity";
import type { ApiKeyProjectAssignmentEntity } from "./api-key-project-assignment.entity";
import type { ApiKeyEntity } from "./api-key.entity";

@ObjectType({ implements: Node })
export class ApiKey extends Node {
  @Field({ description: "The public part, sent as the user name when authenticating." })
  publicKey!: string;

  @Field()
  description!: string;

  @Field(() => [OrganizationRole], { description: "Roles in the key's organization." })
  roles!: OrganizationRole[];

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  lastUsedAt!: Date | null;

  @Field(() => Date, {
    nullable: true,
    description:
      "When the key stops working; null = never. An expired key is refused with HTTP 401.",
  })
  expiresAt!: Date | null;

  @Field({
    description:
      "False while suspended: a disabled key is refused with HTTP 401 and keeps its roles, assignments and access list.",
  })
  enabled!: boolean;

  uuid!: string;
  organizationId!: string;

  /** `lastUsedAt` overrides the entity's: the calling key's own use, not yet written. */
  static from(entity: ApiKeyEntity, lastUsedAt = entity.lastUsedAt): ApiKey {
    return Object.assign(new ApiKey(), {
      id: toGlobalId("ApiKey", entity.id),
      uuid: entity.id,
      organizationId: entity.organizationId,
      publicKey: entity.publicKey,
      description: entity.description,
      roles: entity.roles,
      createdAt: entity.createdAt,
      lastUsedAt,
      expiresAt: entity.expiresAt,
      enabled: entity.enabled,
    });
  }
}

@ObjectType()
export class ProjectApiKeyAssignment {
  @Field(() => [ProjectRole])
  roles!: ProjectRole[];

  @Field()
  assignedAt!: Date;

  apiKeyId!: string;
  projectId!: string;

  static from(entity: ApiKeyProjectAssignmentEntity): ProjectApiKeyAssignment {
    return Object.assign(new ProjectApiKeyAssignment(), {
      roles: entity.roles,
      assignedAt: entity.createdAt,
      apiKeyId: entity.apiKeyId,
      projectId: entity.projectId,
    });
  }
}

@ObjectType({
  description:
    "One allowed source of requests for an API key: a single address or a CIDR block, IPv4 or IPv6.",
})
export class AccessListEntry {
  @Field(() => String, {
    nullable: true,
    description: "Set when the entry was added as a single address (ipAddress input).",
  })
  ipAddress!: string | null;

  @Field({ description: "Always set; a single address appears as /32 (IPv4) or /128 (IPv6)." })
  cidrBlock!: string;

  @Field(() => String, { nullable: true })
  comment!: string | null;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  lastUsedAt!: Date | null;

  @Field(() => String, { nullable: true })
  lastUsedAddress!: string | null;

  @Field(() => Int, { description: "Number of requests this entry admitted; 0 until first use." })
  usageCount!: number;

  static from(entity: AccessListEntryEntity): AccessListEntry {
    return Object.assign(new AccessListEntry(), {
      ipAddress: entity.isSingleAddress ? entity.cidrBlock.replace(/\/\d+$/, "") : null,
      cidrBlock: entity.cidrBlock,
      comment: entity.comment,
      createdAt: entity.createdAt,
      lastUsedAt: entity.lastUsedAt,
      lastUsedAddress: entity.lastUsedAddress,
      usageCount: Math.min(Number(entity.usageCount), 2 ** 31 - 1),
    });
  }
}

export const ApiKeyConnection = ConnectionType("ApiKeyConnection", "ApiKeyEdge", () => ApiKey);

export const ProjectApiKeyConnection = ConnectionType(
  "ProjectApiKeyConnection",
  "ProjectApiKeyEdge",
  () => ProjectApiKeyAssignment,
);
