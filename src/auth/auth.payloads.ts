import { Field, ObjectType } from "type-graphql";
import { UserError } from "../graphql/user-error";
import { User } from "../users/user.type";

@ObjectType()
export class AuthPayload {
  @Field(() => String, {
    nullable: true,
    description: "Bearer token for the Authorization header; shown once.",
  })
  token!: string | null;

  @Field(() => User, { nullable: true })
  user!: User | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType()
export class LogOutPayload {
  @Field()
  ok!: boolean;
}
