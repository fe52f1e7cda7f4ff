import type { DataSource, EntityManager } from "typeorm";
import type { RequestContext } from "../graphql/context";
import { forbiddenError } from "../graphql/errors";
import { UserErrorCode, UserInputError } from "../graphql/user-error";
import { inTransaction, isUniqueViolation } from "../db/transaction";
import { UserEntity } from "../users/user.entity";
import { User } from "../users/user.type";
import type { LogInInput, SignUpInput } from "./auth.inputs";
import type { AuthPayload, LogOutPayload } from "./auth.payloads";
import { dummyPasswordHash, hashPassword, verifyPassword } from "./password";
import type { UserPrincipal } from "./principal";
import { requireUser } from "./authorize";
import { SessionEntity } from "./session.entity";
import { TooManyFailures, type AuthThrottle } from "./throttle";
import { generateSessionToken, isWellFormedSessionToken, secretDigest } from "./session-token";

/** A session expires after this much idleness. */
export const SESSION_IDLE_TIMEOUT_MS = 30 * 24 * 60 * 60 * 1000;
/** `last_used_at` is refreshed at most this often, so a busy client does not write on every request. */
const LAST_USED_RESOLUTION_MS = 60 * 60 * 1000;

export class SessionService {
  constructor(
    private readonly db: DataSource,
    private readonly secret: string,
    private readonly allowSignup: boolean,
    private readonly throttle: AuthThrottle,
  ) {}

  async signUp(ctx: RequestContext, input: SignUpInput): Promise<AuthPayload> {
    if (!this.allowSignup) {
      throw forbiddenError(
        "Sign-up is closed on this server; ask an organization owner to add you.",
      );
    }
    const passwordHash = await hashPassword(input.password);
    return inTransaction(ctx, async (manager) => {
      const user = manager.create(UserEntity, {
        email: normalizeEmail(input.email),
        name: input.name,
        passwordHash,
      });
      try {
        await manager.insert(UserEntity, user);
      } catch (error) {
        if (isUniqueViolation(error, "users_email_key")) {
          throw UserInputError.of(
            UserErrorCode.ALREADY_EXISTS,
            ["input", "email"],
            "A user with this email already exists.",
          );
        }
        throw error;
      }
      const token = await this.startSession(manager, user.id);
      return { token, user: User.from(user), userErrors: [] };
    });
  }

  /**
   * A wrong email and a wrong password are indistinguishable, in answer and in time. Failures are
   * throttled per client address and per email (HTTP 429 with Retry-After once over the limit).
   */
  async logIn(ctx: RequestContext, input: LogInInput): Promise<AuthPayload> {
    const email = normalizeEmail(input.email);
    const subject = `email:${email}`;
    await asGraphQLError(this.throttle.assertAllowed(ctx.clientAddress, subject));
    const user = await ctx.db.getRepository(UserEntity).findOneBy({ email });
    const matches = await verifyPassword(
      user?.passwordHash ?? (await dummyPasswordHash()),
      input.password,
    );
    if (!user || !matches) {
      await asGraphQLError(this.throttle.recordFailure(ctx.clientAddress, subject));
      throw UserInputError.of(
        UserErrorCode.INVALID_CREDENTIALS,
        null,
        "The email or password is not correct.",
      );
    }
    const token = await this.startSession(ctx.db.manager, user.id);
    return { token, user: User.from(user), userErrors: [] };
  }

  async logOut(ctx: RequestContext): Promise<LogOutPayload> {
    const principal = requireUser(ctx);
    await ctx.db.getRepository(SessionEntity).delete({ id: principal.sessionId });
    return { ok: true };
  }

  /** The user behind a bearer token, or null for a malformed, unknown, revoked or expired one. */
  async authenticate(token: string): Promise<UserPrincipal | null> {
    if (!isWellFormedSessionToken(token)) return null;
    const session = await this.db
      .getRepository(SessionEntity)
      .findOneBy({ tokenDigest: secretDigest(this.secret, token) });
    if (!session) return null;
    const idleFor = Date.now() - session.lastUsedAt.getTime();
    if (idleFor > SESSION_IDLE_TIMEOUT_MS) return null;
    if (idleFor > LAST_USED_RESOLUTION_MS) {
      await this.db
        .getRepository(SessionEntity)
        .update({ id: session.id }, { lastUsedAt: new Date() });
    }
    return { kind: "user", userId: session.userId, sessionId: session.id };
  }

  private async startSession(manager: EntityManager, userId: string): Promise<string> {
    const token = generateSessionToken();
    await manager.insert(SessionEntity, { userId, tokenDigest: secretDigest(this.secret, token) });
    return token;
  }
}

async function asGraphQLError(throttled: Promise<void> | undefined): Promise<void> {
  try {
    await throttled;
  } catch (error) {
    throw error instanceof TooManyFailures ? error.toGraphQLError() : error;
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
