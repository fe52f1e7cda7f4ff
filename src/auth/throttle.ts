import { GraphQLError } from "graphql";
import Redis from "ioredis";
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";

/** Failed authentications allowed before a caller is made to wait. */
export const THROTTLE = Object.freeze({
  /** Per client address: generous, since many people may share one NAT address. */
  failuresPerAddress: 50,
  /** Per email or public key: what stops guessing one account's password or key. */
  failuresPerSubject: 10,
  windowSeconds: 15 * 60,
  blockSeconds: 15 * 60,
});

export class TooManyFailures extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many failed attempts: try again in ${retryAfterSeconds} seconds.`);
    this.name = "TooManyFailures";
  }

  /** The same refusal inside a GraphQL operation (logIn): HTTP 429 with Retry-After. */
  toGraphQLError(): GraphQLError {
    return new GraphQLError(this.message, {
      extensions: {
        code: "TOO_MANY_REQUESTS",
        http: {
          status: 429,
          headers: new Map([["retry-after", String(this.retryAfterSeconds)]]),
        },
      },
    });
  }
}

/** How long a failure may still count or block: a window, then at most a block after it. */
const FAILURE_RELEVANCE_MS = (THROTTLE.windowSeconds + THROTTLE.blockSeconds) * 1000;
/** Entries of `recentFailures` at which expired ones are first swept out. */
const FIRST_SWEEP_AT = 10_000;

/** Whether `key` failed lately; forgets it once it no longer can matter. */
function failedLately(recent: Map<string, number>, key: string, now: number): boolean {
  const until = recent.get(key);
  if (until === undefined) return false;
  if (until > now) return true;
  recent.delete(key);
  return false;
}

/**
 * Counts failed authentications (bearer tokens, API keys, logIn) per client address and per
 * subject (email or public key) with rate-limiter-flexible: in memory, or in Redis when
 * REDIS_URL is set so every instance shares the counts. Only failures are counted, so a caller
 * who authenticates correctly is never slowed.
 */
export class AuthThrottle {
  private readonly byAddress: RateLimiterAbstract;
  private readonly bySubject: RateLimiterAbstract;
  private readonly redis: Redis | undefined;
  /**
   * In memory only: until when each address and subject with a failure here can still be held
   * back. The counts are this instance's alone then, so one that never failed here needs no
   * asking, and `assertAllowed` answers it without a promise: the common case, a caller with
   * the right credentials, costs no wait.
   */
  private readonly recentFailures: Map<string, number> | undefined;
  /** Doubles with what a sweep leaves, so sweeping costs O(1) per failure however many fail. */
  private sweepAt = FIRST_SWEEP_AT;

  constructor(redisUrl: string | undefined) {
    const common = { duration: THROTTLE.windowSeconds, blockDuration: THROTTLE.blockSeconds };
    const address = {
      ...common,
      points: THROTTLE.failuresPerAddress,
      keyPrefix: "keyfob:auth:address",
    };
    const subject = {
      ...common,
      points: THROTTLE.failuresPerSubject,
      keyPrefix: "keyfob:auth:subject",
    };
    if (redisUrl) {
      this.redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      // Should Redis fail, each instance keeps counting on its own rather than failing logins.
      this.byAddress = new RateLimiterRedis({
        ...address,
        storeClient: this.redis,
        insuranceLimiter: new RateLimiterMemory(address),
      });
      this.bySubject = new RateLimiterRedis({
        ...subject,
        storeClient: this.redis,
        insuranceLimiter: new RateLimiterMemory(subject),
      });
    } else {
      this.byAddress = new RateLimiterMemory(address);
      this.bySubject = new RateLimiterMemory(subject);
      this.recentFailures = new Map();
    }
  }

  /**
   * Throws (or rejects with) `TooManyFailures` while the address or the subject is blocked.
   * Returns nothing at once when, in memory, neither has failed lately.
   */
  assertAllowed(address: string, subject: string | null): Promise<void> | undefined {
    const recent = this.recentFailures;
    if (recent) {
      if (recent.size === 0) return undefined;
      const now = Date.now();
      if (
        !failedLately(recent, `address:${address}`, now) &&
        !(subject && failedLately(recent, `subject:${subject}`, now))
      ) {
        return undefined;
      }
    }
    return this.askLimiters(address, subject);
  }

  private async askLimiters(address: string, subject: string | null): Promise<void> {
    const states = await Promise.all([
      this.byAddress.get(address),
      subject ? this.bySubject.get(subject) : null,
    ]);
    const limits = [THROTTLE.failuresPerAddress, THROTTLE.failuresPerSubject];
    states.forEach((state, index) => {
      if (state && state.consumedPoints > limits[index]) {
        throw new TooManyFailures(Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
      }
    });
  }

  /** Counts one failure; throws `TooManyFailures` when it crosses a limit. */
  async recordFailure(address: string, subject: string | null): Promise<void> {
    this.rememberFailure(`address:${address}`);
    if (subject) this.rememberFailure(`subject:${subject}`);
    try {
      await Promise.all([
        this.byAddress.consume(address),
        subject ? this.bySubject.consume(subject) : null,
      ]);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        throw new TooManyFailures(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
      }
      throw rejection;
    }
  }

  private rememberFailure(key: string): void {
    if (!this.recentFailures) return;
    const now = Date.now();
    if (this.recentFailures.size >= this.sweepAt) {
      for (const [known, until] of this.recentFailures) {
        if (until <= now) this.recentFailures.delete(known);
      }
      this.sweepAt = Math.max(FIRST_SWEEP_AT, 2 * this.recentFailures.size);
    }
    this.recentFailures.set(key, now + FAILURE_RELEVANCE_MS);
  }

  async close(): Promise<void> {
    this.redis?.disconnect();
  }
}
