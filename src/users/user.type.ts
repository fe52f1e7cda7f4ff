import { Field, ObjectType } from "type-graphql";
import { toGlobalId } from "../graphql/global-id";
import { Node } from "../graphql/node.type";
import type { UserEntity } from "./user.entity";

@ObjectType({ implements: Node })
export class User extends Node {
  @Field()
  email!: string;

  @Field()
  name!: string;

  @Field()
  createdAt!: Date;

  /** The row id behind the global id. */
  uuid!: string;

  static from(entity: UserEntity): User {
    return Object.assign(new User(), {
      id: toGlobalId("User", entity.id),
      uuid: entity.id,
      email: entity.email,
      name: entity.name,
      createdAt: entity.createdAt,
    });
  }
}
