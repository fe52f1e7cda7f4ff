import type { ApiKeyEntity } from "../api-keys/api-key.entity";

/** Who is making a request, as established once per request by `authenticate`. */
export type Principal = AnonymousPrincipal | UserPrincipal | ApiKeyPrincipal;

export interface AnonymousPrincipal {
  readonly kind: "anonymous";
}

export interface UserPrincipal {
  readonly kind: "user";
  readonly userId: string;
  readonly sessionId: string;
}

export interface ApiKeyPrincipal {
  readonly kind: "apiKey";
  readonly apiKeyId: string;
  readonly organizationId: string;
  /** The secret (private key) the request presented. */
  readonly secretId?: string;
  /** The key as verified for this request; primes the request's key loader. */
  readonly key?: ApiKeyEntity;
}

export const ANONYMOUS: AnonymousPrincipal = Object.freeze({ kind: "anonymous" });
