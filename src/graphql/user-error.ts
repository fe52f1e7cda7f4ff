import { GraphQLError } from "graphql";
import { Field, ObjectType, registerEnumType } from "type-graphql";

export enum UserErrorCode {
  INVALID_INPUT = "INVALID_INPUT",
  NOT_FOUND = "NOT_FOUND",
  ALREADY_EXISTS = "ALREADY_EXISTS",
  INVALID_ROLE = "INVALID_ROLE",
  INVALID_ACCESS_LIST_ENTRY = "INVALID_ACCESS_LIST_ENTRY",
  DUPLICATE_ACCESS_LIST_ENTRY = "DUPLICATE_ACCESS_LIST_ENTRY",
  LIMIT_EXCEEDED = "LIMIT_EXCEEDED",
  LAST_OWNER = "LAST_OWNER",
  WRONG_ORGANIZATION = "WRONG_ORGANIZATION",
  INVALID_CREDENTIALS = "INVALID_CREDENTIALS",
  CANNOT_REMOVE_CALLER_FROM_ACCESS_LIST = "CANNOT_REMOVE_CALLER_FROM_ACCESS_LIST",
  LAST_SECRET = "LAST_SECRET",
}
registerEnumType(UserErrorCode, { name: "UserErrorCode" });

@ObjectType({ description: "A problem with the caller's input; the mutation changed nothing." })
export class UserError {
  @Field(() => [String], {
    nullable: true,
    description:
      'Path to the input field at fault, e.g. ["input", "accessList", "0", "cidrBlock"].',
  })
  field!: string[] | null;

  @Field()
  message!: string;

  @Field(() => UserErrorCode)
  code!: UserErrorCode;

  static of(code: UserErrorCode, field: string[] | null, message: string): UserError {
    return Object.assign(new UserError(), { code, field, message });
  }
}

/**
 * An expected problem with the caller's input. Services throw it, even in the middle of a
 * transaction (which then rolls back); the mutation payload middleware turns it into
 * `{ userErrors }` with every entity field of the payload null.
 */
export class UserInputError extends GraphQLError {
  readonly userErrors: UserError[];

  constructor(errors: UserError | UserError[]) {
    const list = Array.isArray(errors) ? errors : [errors];
    // Should one escape a field without a payload, it still reads as a clean input error.
    super(list.map((error) => error.message).join("; "), {
      extensions: { code: "BAD_USER_INPUT" },
    });
    this.name = "UserInputError";
    this.userErrors = list;
  }

  static of(code: UserErrorCode, field: string[] | null, message: string): UserInputError {
    return new UserInputError(UserError.of(code, field, message));
  }
}

/** Shorthand for the commonest user error: an id that is unknown or not visible to the caller. */
export function notFound(field: string[], what: string): UserInputError {
  return UserInputError.of(UserErrorCode.NOT_FOUND, field, `No ${what} with this id.`);
}
