import assert from "node:assert/strict";
import { request, type RawResponse } from "./http";
import { assertNoLeak, registerSecret } from "./leaks";
import type { KeyFixture } from "./seed";

export interface OAuthResponse extends RawResponse {
  /** The parsed JSON body, or undefined when there is none. */
  json: Record<string, unknown> | undefined;
}

export interface OAuthRequest {
  /** Form parameters, or the raw body. */
  form?: Record<string, string> | string;
  /** HTTP Basic credentials (already in their final form; see `basic`). */
  authorization?: string;
  contentType?: string;
  localAddress?: string;
  headers?: Record<string, string>;
}

/** `Basic base64(id:secret)`, each part form-urlencoded first as RFC 6749 §2.3.1 says. */
export function basic(id: string, secret: string): string {
  const encode = (part: string) => encodeURIComponent(part).replace(/%20/g, "+");
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString("base64")}`;
}

/** POSTs to an OAuth endpoint; checks the answer for leaks and registers any issued token. */
export async function oauthPost(
  baseUrl: string,
  path: "/oauth/token" | "/oauth/revoke",
  options: OAuthRequest = {},
): Promise<OAuthResponse> {
  const body =
    typeof options.form === "string"
      ? options.form
      : options.form
        ? new URLSearchParams(options.form).toString()
        : undefined;
  const response = await request(`${baseUrl}${path}`, {
    method: "POST",
    headers: {
      ...(options.contentType !== undefined || body !== undefined
        ? { "content-type": options.contentType ?? "application/x-www-form-urlencoded" }
        : {}),
      ...(options.authorization ? { authorization: options.authorization } : {}),
      ...options.headers,
    },
    body,
    localAddress: options.localAddress,
  });
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(response.text);
  } catch {
    json = undefined;
  }
  const issued = typeof json?.access_token === "string" ? [json.access_token] : [];
  assertNoLeak(response.text, issued);
  issued.forEach(registerSecret);
  return { ...response, json };
}

/** A new access token for `key` (HTTP Basic), asserting success. */
export async function accessToken(
  baseUrl: string,
  key: Pick<KeyFixture, "publicKey" | "privateKey">,
  localAddress?: string,
): Promise<{ token: string; expiresIn: number }> {
  const response = await oauthPost(baseUrl, "/oauth/token", {
    form: { grant_type: "client_credentials" },
    authorization: basic(key.publicKey, key.privateKey),
    localAddress,
  });
  assert.equal(response.status, 200, response.text);
  return {
    token: response.json!.access_token as string,
    expiresIn: response.json!.expires_in as number,
  };
}
