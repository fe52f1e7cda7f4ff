import { Arg, Ctx, createUnionType, Mutation, Query, Resolver } from "type-graphql";
import { ApiKey } from "../api-keys/api-key.type";
import type { RequestContext } from "../graphql/context";
import { User } from "../users/user.type";
import { UserOnly } from "./directives";
import { LogInInput, SignUpInput } from "./auth.inputs";
import { AuthPayload, LogOutPayload } from "./auth.payloads";

export const Principal = createUnionType({
  name: "Principal",
  description: "Who is calling: a signed-in user or an API key.",
  types: () => [User, ApiKey] as const,
});

@Resolver()
export class AuthResolver {
  @Query(() => Principal, { nullable: true })
  // Not async: a key's own view is at hand (see ApiKeyService.own).
  viewer(@Ctx() ctx: RequestContext): Promise<User> | ApiKey | null {
    const principal = ctx.principal;
    if (principal.kind === "user") return ctx.services.users.load(ctx, principal.userId);
    if (principal.kind === "apiKey") return ctx.services.apiKeys.own(principal);
    return null;
  }

  @Mutation(() => AuthPayload)
  signUp(@Ctx() ctx: RequestContext, @Arg("input") input: SignUpInput): Promise<AuthPayload> {
    return ctx.services.sessions.signUp(ctx, input);
  }

  @Mutation(() => AuthPayload)
  logIn(@Ctx() ctx: RequestContext, @Arg("input") input: LogInInput): Promise<AuthPayload> {
    return ctx.services.sessions.logIn(ctx, input);
  }

  @Mutation(() => LogOutPayload)
  @UserOnly()
  logOut(@Ctx() ctx: RequestContext): Promise<LogOutPayload> {
    return ctx.services.sessions.logOut(ctx);
  }
}
