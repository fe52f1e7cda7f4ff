import { Field, ID, ObjectType } from "type-graphql";
import { UserError } from "../graphql/user-error";
import { ApiKey, ProjectApiKeyAssignment } from "./api-key.type";

@ObjectType()
export class CreateApiKeyPayload {
  @Field(() => ApiKey, { nullable: true })
  apiKey!: ApiKey | null;

  @Field(() => String, {
    nullable: true,
    description: "The full private key. Returned here once and never again: store it now.",
  })
  privateKey!: string | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType()
export class ApiKeyPayload {
  @Field(() => ApiKey, { nullable: true })
  apiKey!: ApiKey | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType()
export class DeleteOrganizationApiKeyPayload {
  @Field(() => ID, { nullable: true })
  deletedApiKeyId!: string | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType()
export class ProjectApiKeyPayload {
  @Field(() => ProjectApiKeyAssignment, { nullable: true })
  assignment!: ProjectApiKeyAssignment | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType()
export class UnassignApiKeyFromProjectPayload {
  @Field(() => ApiKey, { nullable: true })
  apiKey!: ApiKey | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}

@ObjectType()
export class RotateApiKeySecretPayload {
  @Field(() => ApiKey, { nullable: true })
  apiKey!: ApiKey | null;

  @Field(() => String, { nullable: true, description: "The new private key, shown once." })
  privateKey!: string | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}
