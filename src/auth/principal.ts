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
  /** The secret (private key) the request presented, or that issued its access token. */
  readonly secretId: string;
  /**
   * The key as verified, shared with the verified-key cache: read it, never change it. Its
   * `lastUsedAt` is as of loading; this request's use is `usedAt`.
   */
  readonly key: ApiKeyEntity;
  /** When this request used the key: its `lastUsedAt`, whatever the database says yet. */
  readonly usedAt: Date;
}

export const ANONYMOUS: AnonymousPrincipal = Object.freeze({ kind: "anonymous" });
