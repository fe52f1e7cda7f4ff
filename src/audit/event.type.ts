import { Field, ObjectType, registerEnumType } from "type-graphql";
import { ConnectionType } from "../graphql/connection";
import { toGlobalId } from "../graphql/global-id";
import { Node } from "../graphql/node.type";
import type { EventEntity } from "./event.entity";
import { EventType } from "./event-kinds";

registerEnumType(EventType, { name: "EventType" });

@ObjectType({
  implements: Node,
  description: "One change, recorded in the same transaction as the change itself.",
})
export class Event extends Node {
  @Field(() => EventType)
  type!: EventType;

  @Field()
  createdAt!: Date;

  @Field({ description: "The actor's email or public key, kept when the actor is gone." })
  actorLabel!: string;

  @Field({ description: "The client address of the request that made the change." })
  remoteAddress!: string;

  @Field(() => String, { nullable: true })
  targetPublicKey!: string | null;

  @Field(() => [String], {
    nullable: true,
    description: "Roles after the change, for role events.",
  })
  roles!: string[] | null;

  @Field(() => String, {
    nullable: true,
    description: "The access-list entry (CIDR block) for access-list events.",
  })
  accessListEntry!: string | null;

  uuid!: string;
  organizationId!: string;
  projectId!: string | null;
  actorUserId!: string | null;
  actorApiKeyId!: string | null;
  targetApiKeyId!: string | null;
  targetUserId!: string | null;

  static from(entity: EventEntity): Event {
    return Object.assign(new Event(), {
      id: toGlobalId("Event", entity.id),
      uuid: entity.id,
      type: entity.type as EventType,
      createdAt: entity.createdAt,
      actorLabel: entity.actorLabel,
      remoteAddress: entity.remoteAddress,
      targetPublicKey: entity.targetPublicKey,
      roles: entity.roles,
      accessListEntry: entity.accessListEntry,
      organizationId: entity.organizationId,
      projectId: entity.projectId,
      actorUserId: entity.actorUserId,
      actorApiKeyId: entity.actorApiKeyId,
      targetApiKeyId: entity.targetApiKeyId,
      targetUserId: entity.targetUserId,
    });
  }
}

export const EventConnection = ConnectionType("EventConnection", "EventEdge", () => Event);
