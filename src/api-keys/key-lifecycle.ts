/**
 * The lifecycle rules of API keys and their secrets, in one I/O-free place: when a key may expire,
 * how long a rotation's grace period lasts, which secrets are live, and why a key whose
 * credentials are right is still refused. Callers pass the instant they act at, so one request
 * applies one `now` throughout.
 */

export const MIN_LIFETIME_DAYS = 1;
export const MAX_LIFETIME_DAYS = 3650;
export const MAX_GRACE_PERIOD_SECONDS = 604_800;
/** Live secrets a key may hold at once; a rotation beyond it is refused (LIMIT_EXCEEDED). */
export const MAX_LIVE_SECRETS = 10;
const DAY_MS = 86_400_000;

export type Expiry = { ok: true; expiresAt: Date | null } | { ok: false; message: string };

/** The latest expiry an organization with `maxLifetimeDays` allows for a key given it at `now`. */
export function latestAllowedExpiry(now: Date, maxLifetimeDays: number): Date {
  return new Date(now.getTime() + maxLifetimeDays * DAY_MS);
}

function checked(requested: Date, now: Date, maxLifetimeDays: number | null): Expiry {
  if (Number.isNaN(requested.getTime()) || requested.getTime() <= now.getTime()) {
    return { ok: false, message: "expiresAt must be in the future." };
  }
  if (maxLifetimeDays !== null && requested > latestAllowedExpiry(now, maxLifetimeDays)) {
    return {
      ok: false,
      message: `expiresAt must be within ${maxLifetimeDays} days from now: the organization's maxApiKeyLifetimeDays.`,
    };
  }
  return { ok: true, expiresAt: requested };
}

/**
 * The expiry of a key created at `now`: the requested instant when it is in the future and within
 * the organization's maximum lifetime; with a maximum and nothing requested, that maximum.
 */
export function expiryOfNewKey(
  requested: Date | null | undefined,
  now: Date,
  maxLifetimeDays: number | null,
): Expiry {
  if (requested === undefined || requested === null) {
    return {
      ok: true,
      expiresAt: maxLifetimeDays === null ? null : latestAllowedExpiry(now, maxLifetimeDays),
    };
  }
  return checked(requested, now, maxLifetimeDays);
}

/**
 * A new expiry for an existing key, set at `now`: a future instant within the organization's
 * maximum lifetime (counted from now, so an expired key can be brought back), or null for never,
 * which an organization with a maximum refuses.
 */
export function changedExpiry(
  requested: Date | null,
  now: Date,
  maxLifetimeDays: number | null,
): Expiry {
  if (requested === null) {
    return maxLifetimeDays === null
      ? { ok: true, expiresAt: null }
      : {
          ok: false,
          message: `This organization requires every key to expire within ${maxLifetimeDays} days (maxApiKeyLifetimeDays); give a date instead of null.`,
        };
  }
  return checked(requested, now, maxLifetimeDays);
}

/**
 * When the secrets in use stop working after a rotation at `now`: at the end of the grace period,
 * never past the key's own expiry. (A secret already due to end sooner keeps its earlier end: a
 * rotation shortens lives, it never extends one.)
 */
export function endOfGrace(now: Date, gracePeriodSeconds: number, keyExpiresAt: Date | null): Date {
  const end = now.getTime() + gracePeriodSeconds * 1000;
  return new Date(keyExpiresAt ? Math.min(end, keyExpiresAt.getTime()) : end);
}

/** A secret works until its own expiry (the key's expiry and state are checked apart). */
export function isLiveSecret(secret: { expiresAt: Date | number | null }, nowMs: number): boolean {
  return secret.expiresAt === null || new Date(secret.expiresAt).getTime() > nowMs;
}

export type KeyRefusal = "disabled" | "expired";

/** Why a key presented with a right, live secret is refused anyway, or null when it is not. */
export function keyRefusal(
  key: { enabled: boolean; expiresAtMs: number | null },
  nowMs: number,
): KeyRefusal | null {
  if (!key.enabled) return "disabled";
  if (key.expiresAtMs !== null && key.expiresAtMs <= nowMs) return "expired";
  return null;
}

/** The 401 message for a refused key: its credentials were right, so saying why leaks nothing. */
export function refusalMessage(refusal: KeyRefusal, expiresAtMs: number | null): string {
  if (refusal === "disabled") {
    return "This API key is disabled. An organization owner can enable it again (updateOrganizationApiKey with enabled: true).";
  }
  return `This API key expired at ${new Date(expiresAtMs!).toISOString()}. An organization owner can give it a later expiresAt (updateOrganizationApiKey).`;
}
