import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import type { RequestContext } from "../graphql/context";
import { RevokeApiKeySecretInput, RotateApiKeySecretInput } from "./api-key-secret.inputs";
import { ApiKeySecret } from "./api-key-secret.type";
import { ApiKeyPayload, RotateApiKeySecretPayload } from "./api-key.payloads";
import { ApiKey } from "./api-key.type";

/** A key's secrets: rotation, revocation, and the fields that show them. */
@Resolver(() => ApiKey)
export class ApiKeySecretResolver {
  @Mutation(() => RotateApiKeySecretPayload, {
    description:
      "Organization Owner; or Project Owner / Project User Admin under the access-list rule: a new secret, the current ones kept for the grace period.",
  })
  rotateApiKeySecret(
    @Ctx() ctx: RequestContext,
    @Arg("input") input: RotateApiKeySecretInput,
  ): Promise<RotateApiKeySecretPayload> {
    return ctx.services.apiKeySecrets.rotate(ctx, input);
  }

  @Mutation(() => ApiKeyPayload, {
    description: "Same rule as rotateApiKeySecret: end one secret at once (not the last live one).",
  })
  revokeApiKeySecret(
    @Ctx() ctx: RequestContext,
    @Arg("input") input: RevokeApiKeySecretInput,
  ): Promise<ApiKeyPayload> {
    return ctx.services.apiKeySecrets.revoke(ctx, input);
  }

  @FieldResolver(() => String, {
    description:
      "The private key with all but its last 12 characters masked; the full private key is shown only once, at creation (or rotation). With several live secrets, the newest.",
  })
  privateKeyRedacted(@Ctx() ctx: RequestContext, @Root() key: ApiKey): Promise<string> {
    return ctx.services.apiKeySecrets.privateKeyRedacted(ctx, key);
  }

  @FieldResolver(() => [ApiKeySecret], { description: "Live secrets, newest first." })
  secrets(@Ctx() ctx: RequestContext, @Root() key: ApiKey): Promise<ApiKeySecret[]> {
    return ctx.services.apiKeySecrets.liveSecrets(ctx, key);
  }
}
