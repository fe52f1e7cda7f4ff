import { isEmail, ValidateBy, type ValidationArguments } from "class-validator";
import { checkDisplayText, misleadingCharacterProblem, normalizeDisplayText } from "./text";

/** Per input class, the properties that hold display text. */
const displayTextFields = new WeakMap<object, Set<string>>();

/**
 * Marks an input field as display text (a name, a description, a comment): it must pass the
 * rules of `checkDisplayText` (src/graphql/text.ts), and the validation seam stores its
 * normalised form in the input before the resolver sees it, so every field of the kind is
 * checked and normalised alike and no service trims by hand. A null or absent value is left to
 * the field's nullability.
 */
export function IsDisplayText(maxLength: number): PropertyDecorator {
  const validate = ValidateBy({
    name: "isDisplayText",
    validator: {
      validate: (value: unknown) =>
        value === null ||
        value === undefined ||
        (typeof value === "string" && checkDisplayText(value, maxLength).ok),
      defaultMessage: (args?: ValidationArguments) => {
        const value: unknown = args?.value;
        if (typeof value !== "string") return "must be text";
        const checked = checkDisplayText(value, maxLength);
        return checked.ok ? "is valid" : checked.problem;
      },
    },
  });
  return (target, property) => {
    if (typeof property !== "string") return;
    const fields = displayTextFields.get(target) ?? new Set<string>();
    fields.add(property);
    displayTextFields.set(target, fields);
    validate(target, property);
  };
}

/** The longest email address SMTP carries (RFC 5321's path limit less the angle brackets). */
export const MAX_EMAIL_LENGTH = 254;

/** Why a value is not an email address keyfob takes, or null. */
export function emailProblem(value: unknown): string | null {
  if (typeof value !== "string") return "must be an email address";
  if (value.length > MAX_EMAIL_LENGTH) return `must be at most ${MAX_EMAIL_LENGTH} characters`;
  if (!isEmail(value)) return "must be an email address";
  return misleadingCharacterProblem(value);
}

/**
 * An email address that a user signs up with or is added by: validator.js's `isEmail`, at most
 * 254 characters, and no character that would make it read differently in a member list.
 */
export function IsEmailAddress(): PropertyDecorator {
  return ValidateBy({
    name: "isEmailAddress",
    validator: {
      validate: (value: unknown) => emailProblem(value) === null,
      defaultMessage: (args?: ValidationArguments) => emailProblem(args?.value) ?? "is valid",
    },
  });
}

/**
 * Replaces, in place and through nested inputs and lists, every display-text value of a
 * validated argument by its stored form.
 */
export function normalizeDisplayTextFields(value: unknown): void {
  if (Array.isArray(value)) {
    value.forEach(normalizeDisplayTextFields);
    return;
  }
  if (value === null || typeof value !== "object") return;
  const record = value as Record<string, unknown>;
  for (let proto = Object.getPrototypeOf(value); proto; proto = Object.getPrototypeOf(proto)) {
    for (const field of displayTextFields.get(proto) ?? []) {
      const text = record[field];
      if (typeof text === "string") record[field] = normalizeDisplayText(text);
    }
  }
  for (const nested of Object.values(record)) normalizeDisplayTextFields(nested);
}
