import type { GraphQLResult } from "./client";

/**
 * Sampling requests under a fault: each call bounded in time and judged as a success, a clean
 * (retryable) failure, or anything else. Shared by the fault, restart and crash tests.
 */

export const REQUEST_TIMEOUT_MS = 10_000;

/** `promise`, or an error after `ms`: a request that never answers is a failure too. */
export function within<T>(promise: Promise<T>, ms = REQUEST_TIMEOUT_MS): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export type Verdict = "ok" | "clean failure" | "unclean";

/** The retryable answer: HTTP 503, every error SERVICE_UNAVAILABLE, and a Retry-After. */
export function isRetryableAnswer(result: GraphQLResult): boolean {
  return (
    result.status === 503 &&
    Number(result.headers["retry-after"]) > 0 &&
    (result.errors ?? []).length > 0 &&
    result.errors!.every((error) => error.extensions?.code === "SERVICE_UNAVAILABLE")
  );
}

/**
 * How one response fared: a success (HTTP 200, no errors, no user errors in a mutation payload),
 * a clean failure (the retryable answer), or anything else: an INTERNAL_SERVER_ERROR, another
 * status, a 503 without Retry-After. `Client.raw` has already thrown on a stack trace, SQL text
 * or a database message in the body.
 */
export function verdictOf(result: GraphQLResult): Verdict {
  if (isRetryableAnswer(result)) return "clean failure";
  if (result.status !== 200 || result.errors) return "unclean";
  const payload = Object.values(result.data ?? {})[0] as { userErrors?: unknown[] } | null;
  return payload && (payload.userErrors ?? []).length === 0 ? "ok" : "unclean";
}

export interface Sample {
  /** Which kind of request, for the figures. */
  kind: string;
  sentAt: number;
  answeredAt: number;
  verdict: Verdict;
  detail?: string;
  // The raw answer: tests dig into `data` for the ids they need.
  result?: GraphQLResult<any>;
}

/** Sends one request and judges its answer; never throws. */
export async function sample(kind: string, call: () => Promise<GraphQLResult>): Promise<Sample> {
  const sentAt = Date.now();
  try {
    const result = await within(call());
    const verdict = verdictOf(result);
    return {
      kind,
      sentAt,
      answeredAt: Date.now(),
      verdict,
      result,
      detail: verdict === "unclean" ? `${result.status} ${result.text.slice(0, 300)}` : undefined,
    };
  } catch (error) {
    return { kind, sentAt, answeredAt: Date.now(), verdict: "unclean", detail: String(error) };
  }
}

/** The unclean answers grouped by what they said, for a diagnostic that fits on a screen. */
export function uncleanKinds(samples: readonly Sample[]): Map<string, number> {
  const kinds = new Map<string, number>();
  for (const s of samples) {
    if (s.verdict !== "unclean") continue;
    const kind = `${s.kind}: ${(s.detail ?? "").replace(/keyfob_test_\w+/g, "…").slice(0, 120)}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return kinds;
}
