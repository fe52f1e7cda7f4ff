import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import type { RequestContext } from "./context";
import { fromGlobalId } from "./global-id";
import { Node } from "./node.type";

@Resolver()
export class NodeResolver {
  /** Any node by global id; an id the caller may not see is null, exactly like an unknown one. */
  @Query(() => Node, { nullable: true })
  async node(@Ctx() ctx: RequestContext, @Arg("id", () => ID) id: string): Promise<Node | null> {
    const decoded = fromGlobalId(id);
    if (!decoded) return null;
    switch (decoded.type) {
      case "User":
        return ctx.services.users.findVisible(ctx, decoded.uuid);
      case "Organization":
        return ctx.services.organizations.findVisible(ctx, decoded.uuid);
      case "Project":
        return ctx.services.projects.findVisible(ctx, decoded.uuid);
      case "ApiKey":
        return ctx.services.apiKeys.findVisible(ctx, decoded.uuid);
      case "ApiKeySecret":
        return ctx.services.apiKeySecrets.findVisible(ctx, decoded.uuid);
      case "Event":
        return ctx.services.auditTrail.findVisible(ctx, decoded.uuid);
    }
  }
}
