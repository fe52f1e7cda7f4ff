import { IsInt, IsOptional, Max, Min } from "class-validator";
import { Field, ID, InputType, Int } from "type-graphql";
import { MAX_GRACE_PERIOD_SECONDS } from "./key-lifecycle";

const GRACE_PERIOD = { message: `must be 0 to ${MAX_GRACE_PERIOD_SECONDS} seconds (7 days)` };

@InputType()
export class RotateApiKeySecretInput {
  @Field(() => ID)
  apiKeyId!: string;

  @Field(() => Int, {
    nullable: true,
    defaultValue: 0,
    description:
      "How long the secrets in use now keep working, in seconds: 0 (at once, the default) to 604800 (7 days), never past the key's own expiry.",
  })
  @IsOptional()
  @IsInt(GRACE_PERIOD)
  @Min(0, GRACE_PERIOD)
  @Max(MAX_GRACE_PERIOD_SECONDS, GRACE_PERIOD)
  gracePeriodSeconds?: number | null;
}

@InputType()
export class RevokeApiKeySecretInput {
  @Field(() => ID)
  apiKeyId!: string;

  @Field(() => ID)
  secretId!: string;
}
