import { canSeeUser } from "../auth/authorize";
import type { RequestContext } from "../graphql/context";
import { User } from "./user.type";

export class UserService {
  /** A user the caller may see, or null exactly as for an unknown id. */
  async findVisible(ctx: RequestContext, userId: string): Promise<User | null> {
    if (!(await canSeeUser(ctx, userId))) return null;
    const entity = await ctx.loaders.user.load(userId);
    return entity ? User.from(entity) : null;
  }

  /** Loads a user whose visibility follows from the parent (a membership the caller sees). */
  async load(ctx: RequestContext, userId: string): Promise<User> {
    const entity = await ctx.loaders.user.load(userId);
    if (!entity) throw new Error(`User ${userId} vanished while being read`);
    return User.from(entity);
  }
}
