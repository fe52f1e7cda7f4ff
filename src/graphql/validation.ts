import { validate, type ValidationError } from "class-validator";
import { UserError, UserErrorCode, UserInputError } from "./user-error";

/**
 * type-graphql's `validateFn`: checks an argument with class-validator and reports every problem
 * as an INVALID_INPUT user error on its input path. Values are never echoed back (a password or a
 * key could be one), and validation targets are not attached to errors.
 */
export async function validateArgument(argument: unknown): Promise<void> {
  if (argument === null || typeof argument !== "object") return;
  const values = Array.isArray(argument) ? argument : [argument];
  const errors: ValidationError[] = [];
  for (const value of values) {
    if (value === null || typeof value !== "object") continue;
    errors.push(
      ...(await validate(value as object, {
        forbidUnknownValues: false,
        validationError: { target: false, value: false },
      })),
    );
  }
  if (errors.length > 0) throw new UserInputError(toUserErrors(errors, ["input"]));
}

function toUserErrors(errors: ValidationError[], path: string[]): UserError[] {
  return errors.flatMap((error) => {
    const field = [...path, error.property];
    const own = Object.values(error.constraints ?? {}).map((message) =>
      UserError.of(
        UserErrorCode.INVALID_INPUT,
        field,
        message.startsWith(error.property) ? message : `${error.property} ${message}`,
      ),
    );
    return [...own, ...toUserErrors(error.children ?? [], field)];
  });
}
