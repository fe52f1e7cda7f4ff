import { GraphQLScalarType } from "graphql";
import { GraphQLDateTime } from "graphql-scalars";

/** The contract's `DateTime`: graphql-scalars' implementation under the contract's name. */
export const DateTimeScalar = new GraphQLScalarType({
  ...GraphQLDateTime.toConfig(),
  name: "DateTime",
  description: "An ISO-8601 date-time in UTC, e.g. 2026-11-23T10:00:00.000Z.",
  serialize: (value) => {
    if (value instanceof Date) return value.toISOString();
    return GraphQLDateTime.serialize(value);
  },
});
