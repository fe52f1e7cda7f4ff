import { IsNotEmpty, Length, MaxLength } from "class-validator";
import { Field, InputType } from "type-graphql";
import { IsDisplayText, IsEmailAddress, MAX_EMAIL_LENGTH } from "../graphql/text-fields";
import { DISPLAY_TEXT_LIMITS } from "../graphql/text";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./password";

@InputType()
export class SignUpInput {
  @Field()
  @IsEmailAddress()
  email!: string;

  @Field()
  @Length(MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH, {
    message: `must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`,
  })
  password!: string;

  @Field()
  @IsDisplayText(DISPLAY_TEXT_LIMITS.userName)
  name!: string;
}

@InputType()
export class LogInInput {
  @Field()
  @IsNotEmpty({ message: "is required" })
  @MaxLength(MAX_EMAIL_LENGTH, { message: `must be at most ${MAX_EMAIL_LENGTH} characters` })
  email!: string;

  @Field()
  @IsNotEmpty({ message: "is required" })
  @MaxLength(MAX_PASSWORD_LENGTH, { message: `must be at most ${MAX_PASSWORD_LENGTH} characters` })
  password!: string;
}
