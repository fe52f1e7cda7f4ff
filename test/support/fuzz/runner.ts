import { createHash } from "node:crypto";
import { authorizationHeader, type Credentials } from "../client";
import { request } from "../http";
import { assertNoLeak } from "../leaks";

export interface FuzzCase {
  target: string;
  path: (string | number)[];
  label: string;
  principal: "owner" | "apiKey";
  credentials: Credentials;
  document: string;
  variables: Record<string, unknown>;
  mustNotEcho?: string;
}

export interface Failure {
  fuzzCase: FuzzCase;
  problem: string;
  status?: number;
  body?: string;
}

/** HTTP statuses a hostile request may get: answered, refused, too big, throttled. */
const CLEAN_STATUSES = new Set([200, 400, 401, 403, 413, 429]);

/**
 * Sends one case and returns what is wrong with the answer, or null. Each request comes from
 * its own loopback address (all of 127/8 is local, and the calling key's access list admits
 * it), so the failed logIns that some cases cause never reach the per-address throttle.
 */
export async function runCase(
  url: string,
  fuzzCase: FuzzCase,
  index: number,
): Promise<Failure | null> {
  const fail = (problem: string, status?: number, body?: string): Failure => ({
    fuzzCase,
    problem,
    status,
    body: body?.slice(0, 300),
  });
  let response;
  try {
    response = await request(`${url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...authorizationHeader(fuzzCase.credentials),
      },
      body: JSON.stringify({ query: fuzzCase.document, variables: fuzzCase.variables }),
      localAddress: `127.${13 + ((index >> 16) & 63)}.${(index >> 8) & 255}.${1 + (index & 127)}`,
    });
  } catch (error) {
    return fail(`no answer: ${(error as Error).message}`);
  }
  const { status, text } = response;
  if (!CLEAN_STATUSES.has(status)) return fail(`HTTP ${status}`, status, text);
  if (text.includes("INTERNAL_SERVER_ERROR")) return fail("INTERNAL_SERVER_ERROR", status, text);
  try {
    assertNoLeak(
      text,
      [...text.matchAll(/"(token|privateKey)":"([^"]+)"/g)].map((m) => m[2]),
    );
  } catch (error) {
    return fail((error as Error).message.slice(0, 120), status, text);
  }
  if (fuzzCase.mustNotEcho && text.includes(fuzzCase.mustNotEcho)) {
    return fail("the hostile value came back", status, text);
  }
  let body: { data?: unknown; errors?: unknown[] };
  try {
    body = JSON.parse(text);
  } catch {
    return fail("the answer is not JSON", status, text);
  }
  if (status === 200 && body.data === undefined && body.errors === undefined) {
    return fail("HTTP 200 without data or errors", status, text);
  }
  return null;
}

/** Runs `work` over `items` with at most `concurrency` at a time, in order of start. */
export async function inPool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index], index);
      }
    }),
  );
  return results;
}

/** A deterministic generator in [0, 1) from a seed (SHA-256 in counter mode). */
export function seededRandom(seed: string): () => number {
  let counter = 0;
  return () => {
    const digest = createHash("sha256").update(`${seed}:${counter++}`).digest();
    return digest.readUInt32BE(0) / 2 ** 32;
  };
}

/** A Fisher–Yates shuffle of a copy, driven by `random`. */
export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
