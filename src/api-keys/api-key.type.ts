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

  static from(entity: ApiKeyEntity): ApiKey {
    return ApiKey.view(entity, toGlobalId("ApiKey", entity.id), entity.lastUsedAt);
  }

  /**
   * The calling key's own view, from the verified key that authentication shares between the
   * key's requests: its global id is worked out once per verified key, not on every request,
   * and `lastUsedAt` is this request's use, which the database has not been told of yet.
   */
  static ofVerified(entity: ApiKeyEntity, usedAt: Date): ApiKey {
    let id = verifiedKeyIds.get(entity);
    if (id === undefined) verifiedKeyIds.set(entity, (id = toGlobalId("ApiKey", entity.id)));
    return ApiKey.view(entity, id, usedAt);
  }

  private static view(entity: ApiKeyEntity, id: string, lastUsedAt: Date | null): ApiKey {
    const view = new ApiKey();
    view.id = id;
    view.uuid = entity.id;
    view.organizationId = entity.organizationId;
    view.publicKey = entity.publicKey;
    view.description = entity.description;
    view.roles = entity.roles;
    view.createdAt = entity.createdAt;
    view.lastUsedAt = lastUsedAt;
    view.expiresAt = entity.expiresAt;
    view.enabled = entity.enabled;
    return view;
  }
}

/** Global ids of verified keys (entities held by the verified-key cache), by entity. */
const verifiedKeyIds = new WeakMap<ApiKeyEntity, string>();

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
