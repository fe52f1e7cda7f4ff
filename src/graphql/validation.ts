import { validate, type ValidationError } from "class-validator";
import { getMetadataStorage, type ResolverData } from "type-graphql";
import { normalizeDisplayTextFields } from "./text-fields";
import { encodingProblem } from "./text";
import { UserError, UserErrorCode, UserInputError } from "./user-error";

/**
 * type-graphql's `validateFn`, the one seam every resolver argument goes through, after the
 * role checks and before the resolver:
 * 1. every string in the argument, however deep, must be storable (`encodingProblem`: no NUL,
 *    no lone surrogate, not over the shared ceiling);
 * 2. class-validator's decorators on input classes check each field's own rules;
 * 3. display-text fields are replaced by their stored (normalised) form.
 * Each problem is an INVALID_INPUT user error on its input path; a mutation payload shows them
 * as `userErrors`, any other field as a BAD_USER_INPUT error. Values are never echoed back (a
 * password or a key could be one), and validation targets are not attached to errors.
 */
export async function validateArgument(
  argument: unknown,
  type: unknown,
  data: ResolverData<object>,
): Promise<void> {
  const root = argumentPath(argument, type, data);
  const unstorable = stringProblems(argument, root);
  if (unstorable.length > 0) throw new UserInputError(unstorable);
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
  if (errors.length > 0) throw new UserInputError(toUserErrors(errors, root));
  normalizeDisplayTextFields(argument);
}

/**
 * Where the argument sits in the field's arguments: `["input"]` for `@Arg("input")`, and the
 * root itself for an `@Args()` class, whose properties are the arguments.
 */
function argumentPath(argument: unknown, type: unknown, data: ResolverData<object>): string[] {
  if (getMetadataStorage().argumentTypes.some((args) => args.target === type)) return [];
  const { info, args } = data;
  const definitions = info.parentType.getFields()[info.fieldName]?.args ?? [];
  if (definitions.length === 1) return [definitions[0].name];
  // Several plain arguments: the one whose raw value this is (an input object is converted to
  // its class, so it is matched by kind).
  const found = definitions.find(({ name }) =>
    argument !== null && typeof argument === "object"
      ? args[name] !== null && typeof args[name] === "object"
      : args[name] === argument,
  );
  return found ? [found.name] : [];
}

function stringProblems(value: unknown, path: string[]): UserError[] {
  if (typeof value === "string") {
    const problem = encodingProblem(value);
    const name = path.findLast((segment) => !/^\d+$/.test(segment)) ?? "value";
    return problem ? [UserError.of(UserErrorCode.INVALID_INPUT, path, `${name} ${problem}`)] : [];
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => stringProblems(item, [...path, String(index)]));
  }
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return Object.entries(value).flatMap(([key, item]) => stringProblems(item, [...path, key]));
  }
  return [];
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
