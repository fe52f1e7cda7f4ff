import { Field, Int, ObjectType } from "type-graphql";
import { toGlobalId } from "../graphql/global-id";
import { Node } from "../graphql/node.type";
import type { OrganizationEntity } from "./organization.entity";

@ObjectType({ implements: Node })
export class Organization extends Node {
  @Field()
  name!: string;

  @Field()
  createdAt!: Date;

  @Field({
    description:
      "When true (the default for a new organization), an API key of this organization with an empty access list is refused on every request.",
  })
  apiAccessListRequired!: boolean;

  @Field(() => Int, {
    nullable: true,
    description:
      "When set, every new key must expire within this many days of its creation (an omitted expiresAt becomes that date).",
  })
  maxApiKeyLifetimeDays!: number | null;

  uuid!: string;

  static from(entity: OrganizationEntity): Organization {
    return Object.assign(new Organization(), {
      id: toGlobalId("Organization", entity.id),
      uuid: entity.id,
      name: entity.name,
      createdAt: entity.createdAt,
      apiAccessListRequired: entity.apiAccessListRequired,
      maxApiKeyLifetimeDays: entity.maxApiKeyLifetimeDays,
    });
  }
}
