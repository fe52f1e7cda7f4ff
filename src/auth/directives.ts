import {
  DirectiveLocation,
  GraphQLDirective,
  GraphQLList,
  GraphQLNonNull,
  type GraphQLEnumType,
} from "graphql";
import { Directive, UseMiddleware, type MiddlewareFn, type ResolverData } from "type-graphql";
import type { RequestContext } from "../graphql/context";
import { uuidOf, type NodeTypeName } from "../graphql/global-id";
import { notFound } from "../graphql/user-error";
import {
  canSeeApiKey,
  NotVisibleError,
  requireAuthenticated,
  requireOrgRole,
  requireProjectRole,
  requireUser,
} from "./authorize";
import type { OrganizationRole, ProjectRole } from "./roles";

/**
 * Where a guarded field finds the organization or project it acts on: an id in the mutation's
 * input, the parent object, or something loaded from either (an API key's organization).
 * `resolve` returns null when the id is malformed or unknown.
 */
export interface Scope {
  /** The input path reported in a NOT_FOUND user error; null for parent scopes. */
  readonly field: string[] | null;
  /** What the id names, for the NOT_FOUND message. */
  readonly what: string;
  resolve(data: ResolverData<RequestContext>): Promise<string | null> | string | null;
}

/** The scope is the node whose global id is `input.<field>`. */
export function inputId(field: string, type: NodeTypeName, what = type.toLowerCase()): Scope {
  return {
    field: ["input", field],
    what,
    resolve: ({ args }) => {
      const value = (args.input as Record<string, unknown> | undefined)?.[field];
      return typeof value === "string" ? uuidOf(value, type) : null;
    },
  };
}

/** The scope is taken from the parent object the field belongs to. */
export function fromParent<Parent>(pick: (parent: Parent) => string): Scope {
  return { field: null, what: "parent", resolve: ({ root }) => pick(root as Parent) };
}

type AnyDecorator = MethodDecorator & PropertyDecorator;

function combine(...decorators: (MethodDecorator | PropertyDecorator)[]): AnyDecorator {
  return ((target: object, key: string | symbol, descriptor?: PropertyDescriptor) => {
    for (const decorator of decorators) {
      (decorator as (t: object, k: string | symbol, d?: PropertyDescriptor) => void)(
        target,
        key,
        descriptor,
      );
    }
  }) as AnyDecorator;
}

/**
 * Runs an authorization check whose target was named by an input field: if the caller may not
 * see the target, the answer is the NOT_FOUND user error an unknown id gets.
 */
export async function orNotFound<T>(
  field: string[] | null,
  what: string,
  check: () => Promise<T>,
): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (error instanceof NotVisibleError && field) throw notFound(field, what);
    throw error;
  }
}

/** Runs a scope check; an invisible or unknown scope becomes a NOT_FOUND user error on its field. */
function scopedGuard(
  scope: Scope,
  check: (ctx: RequestContext, scopeId: string) => Promise<unknown>,
): MiddlewareFn<RequestContext> {
  return async (data, next) => {
    requireAuthenticated(data.context);
    const scopeId = await scope.resolve(data);
    await orNotFound(scope.field, scope.what, async () => {
      if (scopeId === null) throw new NotVisibleError();
      return check(data.context, scopeId);
    });
    return next();
  };
}

/**
 * The scope is the organization of the API key whose global id is `input.<field>`. A key the
 * caller may not see resolves to no scope at all, so it reads exactly like an unknown id.
 */
export function apiKeyOrganization(field: string): Scope {
  const key = inputId(field, "ApiKey", "API key");
  return {
    field: key.field,
    what: key.what,
    resolve: async (data) => {
      const apiKeyId = await key.resolve(data);
      if (!apiKeyId || !(await canSeeApiKey(data.context, apiKeyId))) return null;
      return (await data.context.loaders.apiKey.load(apiKeyId))?.organizationId ?? null;
    },
  };
}

function roleList(roles: readonly string[]): string {
  return `[${roles.join(", ")}]`;
}

/** `@hasOrgRole(anyOf: …)`: written into the schema and enforced through `requireOrgRole`. */
export function HasOrgRole(anyOf: OrganizationRole[], scope: Scope): AnyDecorator {
  return combine(
    Directive(`@hasOrgRole(anyOf: ${roleList(anyOf)})`),
    UseMiddleware(scopedGuard(scope, (ctx, id) => requireOrgRole(ctx, id, anyOf))),
  );
}

/** `@hasProjectRole(anyOf: …)`: written into the schema and enforced through `requireProjectRole`. */
export function HasProjectRole(anyOf: ProjectRole[], scope: Scope): AnyDecorator {
  return combine(
    Directive(`@hasProjectRole(anyOf: ${roleList(anyOf)})`),
    UseMiddleware(scopedGuard(scope, (ctx, id) => requireProjectRole(ctx, id, anyOf))),
  );
}

/** `@userOnly`: a signed-in user, never an API key. */
export function UserOnly(): AnyDecorator {
  return combine(
    Directive("@userOnly"),
    UseMiddleware(async ({ context }, next) => {
      requireUser(context);
      return next();
    }),
  );
}

/** The directive definitions, bound to the schema's own role enums. */
export function roleDirectiveDefinitions(
  organizationRole: GraphQLEnumType,
  projectRole: GraphQLEnumType,
): GraphQLDirective[] {
  const listOf = (type: GraphQLEnumType) =>
    new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(type)));
  return [
    new GraphQLDirective({
      name: "hasOrgRole",
      description:
        "Caller must hold at least one of these roles in the organization the field acts on.",
      locations: [DirectiveLocation.FIELD_DEFINITION],
      args: { anyOf: { type: listOf(organizationRole) } },
    }),
    new GraphQLDirective({
      name: "hasProjectRole",
      description:
        "Caller must hold at least one of these roles in the project the field acts on.\nAn ORG_OWNER of the project's organization always qualifies.",
      locations: [DirectiveLocation.FIELD_DEFINITION],
      args: { anyOf: { type: listOf(projectRole) } },
    }),
    new GraphQLDirective({
      name: "userOnly",
      description:
        "Only a signed-in user may call this field: an API key is refused, as it cannot log in to the user interface.",
      locations: [DirectiveLocation.FIELD_DEFINITION],
    }),
  ];
}
