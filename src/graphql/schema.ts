import "reflect-metadata";
import {
  GraphQLSchema,
  getNamedType,
  isObjectType,
  type GraphQLEnumType,
  type GraphQLFieldResolver,
} from "graphql";
import { printSchemaWithDirectives } from "@graphql-tools/utils";
import { buildSchema } from "type-graphql";
import { AccessListEntry } from "../api-keys/api-key.type";
import { ApiKeyResolver } from "../api-keys/api-key.resolver";
import { ApiKeySecretResolver } from "../api-keys/api-key-secret.resolver";
import { ProjectApiKeyResolver } from "../api-keys/project-api-key.resolver";
import {
  EventResolver,
  OrganizationEventsResolver,
  ProjectEventsResolver,
} from "../audit/event.resolver";
import { AuthResolver } from "../auth/auth.resolver";
import { roleDirectiveDefinitions } from "../auth/directives";
import { OrganizationMembershipResolver } from "../organizations/organization-membership.resolver";
import { OrganizationResolver } from "../organizations/organization.resolver";
import { ProjectMembershipResolver } from "../projects/project-membership.resolver";
import { ProjectResolver } from "../projects/project.resolver";
import { UserResolver } from "../users/user.resolver";
import { NodeResolver } from "./node.resolver";
import { DateTimeScalar } from "./scalars";
import { UserInputError } from "./user-error";
import { validateArgument } from "./validation";

const RESOLVERS = [
  NodeResolver,
  AuthResolver,
  UserResolver,
  OrganizationResolver,
  OrganizationMembershipResolver,
  ProjectResolver,
  ProjectMembershipResolver,
  ApiKeyResolver,
  ApiKeySecretResolver,
  ProjectApiKeyResolver,
  EventResolver,
  OrganizationEventsResolver,
  ProjectEventsResolver,
] as const;

/** The executable schema: type-graphql's classes, the role directives, and payload handling. */
export async function createSchema(): Promise<GraphQLSchema> {
  const built = await buildSchema({
    resolvers: RESOLVERS,
    orphanedTypes: [AccessListEntry],
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validateFn: validateArgument,
    emitSchemaFile: false,
  });
  const config = built.toConfig();
  const schema = new GraphQLSchema({
    ...config,
    directives: [
      ...config.directives,
      ...roleDirectiveDefinitions(
        built.getType("OrganizationRole") as GraphQLEnumType,
        built.getType("ProjectRole") as GraphQLEnumType,
      ),
    ],
  });
  returnUserErrorsInPayloads(schema);
  return schema;
}

/**
 * Every mutation whose payload has `userErrors` answers a `UserInputError` (thrown by validation,
 * a scope check or a service, usually rolling back a transaction) with `{ userErrors }` and every
 * other payload field null, instead of a GraphQL error.
 */
function returnUserErrorsInPayloads(schema: GraphQLSchema): void {
  const mutation = schema.getMutationType();
  if (!mutation) return;
  for (const field of Object.values(mutation.getFields())) {
    const payload = getNamedType(field.type);
    if (!isObjectType(payload) || !payload.getFields().userErrors) continue;
    const resolve = field.resolve as GraphQLFieldResolver<unknown, unknown>;
    field.resolve = async (source, args, context, info) => {
      try {
        return await resolve(source, args, context, info);
      } catch (error) {
        if (error instanceof UserInputError) return { userErrors: error.userErrors };
        throw error;
      }
    };
  }
}

/** The SDL as committed in `schema.graphql`, directives included. */
export function printSchema(schema: GraphQLSchema): string {
  return printSchemaWithDirectives(schema) + "\n";
}
