import assert from "node:assert/strict";
import { assertNoLeak, registerSecret } from "./leaks";
import { request, type RawResponse } from "./http";

export type Credentials =
  | { kind: "anonymous" }
  | { kind: "bearer"; token: string }
  | { kind: "apiKey"; publicKey: string; privateKey: string };

export interface GraphQLResult<Data = Record<string, unknown>> {
  status: number;
  headers: RawResponse["headers"];
  text: string;
  data: Data | null | undefined;
  errors: { message: string; extensions?: { code?: string }; path?: unknown[] }[] | undefined;
}

export interface CallOptions {
  localAddress?: string;
  headers?: Record<string, string>;
}

/** Finds the secrets a response is allowed to carry: the token or private key it issues. */
function issuedSecrets(text: string): string[] {
  const issued: string[] = [];
  for (const match of text.matchAll(/"(token|privateKey)":"([^"]+)"/g)) issued.push(match[2]);
  return issued;
}

export function authorizationHeader(credentials: Credentials): Record<string, string> {
  switch (credentials.kind) {
    case "bearer":
      return { authorization: `Bearer ${credentials.token}` };
    case "apiKey":
      return {
        authorization: `Basic ${Buffer.from(`${credentials.publicKey}:${credentials.privateKey}`).toString("base64")}`,
      };
    default:
      return {};
  }
}

/** A GraphQL client bound to one caller; every response is checked for leaks. */
export class Client {
  constructor(
    readonly baseUrl: string,
    readonly credentials: Credentials = { kind: "anonymous" },
  ) {}

  as(credentials: Credentials): Client {
    return new Client(this.baseUrl, credentials);
  }

  async raw<Data = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    options: CallOptions = {},
  ): Promise<GraphQLResult<Data>> {
    const response = await request(`${this.baseUrl}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...authorizationHeader(this.credentials),
        ...options.headers,
      },
      body: JSON.stringify({ query, variables }),
      localAddress: options.localAddress,
    });
    const issued = issuedSecrets(response.text);
    assertNoLeak(response.text, issued);
    issued.forEach(registerSecret);
    let parsed: { data?: Data | null; errors?: GraphQLResult["errors"] } = {};
    try {
      parsed = JSON.parse(response.text);
    } catch {
      // Not JSON: left for the caller's assertions on `text`.
    }
    return { ...response, data: parsed.data, errors: parsed.errors };
  }

  /** Runs an operation that must succeed without GraphQL errors; returns `data`. */
  async query<Data = Record<string, any>>(
    query: string,
    variables: Record<string, unknown> = {},
    options: CallOptions = {},
  ): Promise<Data> {
    const result = await this.raw<Data>(query, variables, options);
    assert.equal(result.errors, undefined, `unexpected errors: ${result.text}`);
    assert.equal(result.status, 200, result.text);
    return result.data as Data;
  }

  /** Runs a mutation that must succeed with no user errors; returns its payload. */
  async mutate<Payload = Record<string, any>>(
    query: string,
    variables: Record<string, unknown> = {},
    options: CallOptions = {},
  ): Promise<Payload> {
    const data = await this.query<Record<string, Payload & { userErrors?: unknown[] }>>(
      query,
      variables,
      options,
    );
    const payload = Object.values(data)[0];
    assert.deepEqual(
      payload.userErrors ?? [],
      [],
      `unexpected user errors: ${JSON.stringify(payload)}`,
    );
    return payload;
  }

  /** The error code of a call that must fail with exactly one GraphQL error. */
  async errorCode(
    query: string,
    variables: Record<string, unknown> = {},
    options: CallOptions = {},
  ) {
    const result = await this.raw(query, variables, options);
    assert.equal(result.errors?.length, 1, `expected one error: ${result.text}`);
    return result.errors![0].extensions?.code;
  }

  /** The user errors of a mutation that must be refused with user errors and nothing else. */
  async userErrors(
    query: string,
    variables: Record<string, unknown> = {},
    options: CallOptions = {},
  ): Promise<{ code: string; field: string[] | null; message: string }[]> {
    const data = await this.query<Record<string, { userErrors: any[] }>>(query, variables, options);
    const payload = Object.values(data)[0];
    assert.ok(payload.userErrors.length > 0, `expected user errors: ${JSON.stringify(payload)}`);
    for (const [key, value] of Object.entries(payload)) {
      if (key !== "userErrors" && key !== "__typename")
        assert.equal(value, null, `${key} must be null`);
    }
    return payload.userErrors;
  }
}
