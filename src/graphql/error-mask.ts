import type { GraphQLFormattedError } from "graphql";
import { PUBLIC_ERROR_CODES } from "./errors";

/**
 * graphql-js quotes offending values in some coercion messages (`String cannot represent a
 * non string value: 123`, `got invalid value "…"`); a password or key could be that value, so
 * the quoted value is cut out and the rest of the explanation kept.
 */
function withoutEchoedValues(message: string): string {
  return message
    .replace(/ got invalid value .*? at "/, ' got an invalid value at "')
    .replace(/ got invalid value .*?;/, " got an invalid value;")
    .replace(/(cannot represent [^:]*value): .*$/, "$1.")
    .replace(
      /^Value ".*?" does not exist in "(\w+)" enum\.(.*)$/,
      'The value does not exist in the "$1" enum.$2',
    )
    .replace(
      /^Enum "(\w+)" cannot represent non-enum value: .*?\.(.*)$/,
      'Enum "$1" cannot represent this value.$2',
    );
}

/**
 * The one error mask at the edge: errors with a known public code leave as they are (minus any
 * echoed value); everything else becomes "Internal server error" (logged by the error-logging
 * plugin with its request id). Never a stack trace, SQL text or input value.
 */
export function maskError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === "string" && PUBLIC_ERROR_CODES.has(code)) {
    return {
      message: withoutEchoedValues(formatted.message),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code },
    };
  }
  return {
    message: "Internal server error",
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: "INTERNAL_SERVER_ERROR" },
  };
}

export function isPublicError(error: { extensions?: Record<string, unknown> }): boolean {
  const code = error.extensions?.code;
  return typeof code === "string" && PUBLIC_ERROR_CODES.has(code);
}
