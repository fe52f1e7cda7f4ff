import { Field, ObjectType } from "type-graphql";
import { toGlobalId } from "../graphql/global-id";
import { Node } from "../graphql/node.type";
import type { ApiKeySecretEntity } from "./api-key-secret.entity";
import { redactPrivateKey } from "./key-material";

@ObjectType({
  implements: Node,
  description:
    "One private key (secret) of an API key. A key has one live secret, two while a rotation's grace period runs.",
})
export class ApiKeySecret extends Node {
  @Field({ description: "All but the last 12 characters masked, as ApiKey.privateKeyRedacted." })
  privateKeyRedacted!: string;

  @Field()
  createdAt!: Date;

  @Field(() => Date, {
    nullable: true,
    description: "When this secret stops working; null = when the key itself expires (or never).",
  })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true })
  lastUsedAt!: Date | null;

  static from(entity: ApiKeySecretEntity): ApiKeySecret {
    return Object.assign(new ApiKeySecret(), {
      id: toGlobalId("ApiKeySecret", entity.id),
      privateKeyRedacted: redactPrivateKey(entity.tail),
      createdAt: entity.createdAt,
      expiresAt: entity.expiresAt,
      lastUsedAt: entity.lastUsedAt,
    });
  }
}
