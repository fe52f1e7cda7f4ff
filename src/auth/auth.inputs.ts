import { IsEmail, IsNotEmpty, Length, MaxLength } from "class-validator";
import { Field, InputType } from "type-graphql";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./password";

@InputType()
export class SignUpInput {
  @Field()
  @IsEmail({}, { message: "must be an email address" })
  @MaxLength(254, { message: "must be at most 254 characters" })
  email!: string;

  @Field()
  @Length(MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH, {
    message: `must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`,
  })
  password!: string;

  @Field()
  @Length(1, 100, { message: "must be 1 to 100 characters" })
  name!: string;
}

@InputType()
export class LogInInput {
  @Field()
  @IsNotEmpty({ message: "is required" })
  @MaxLength(254, { message: "must be at most 254 characters" })
  email!: string;

  @Field()
  @IsNotEmpty({ message: "is required" })
  @MaxLength(MAX_PASSWORD_LENGTH, { message: `must be at most ${MAX_PASSWORD_LENGTH} characters` })
  password!: string;
}
