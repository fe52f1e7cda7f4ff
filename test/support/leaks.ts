/**
 * Watches every response of the test suite for things that must never leave the server: stack
 * traces, SQL text, and any secret (password, token, private key) other than the one a response
 * has just issued. Secrets are registered as tests create them.
 */
const secrets = new Set<string>();

const FORBIDDEN_PATTERNS: [RegExp, string][] = [
  [/\n\s+at .+\(.+:\d+:\d+\)/, "a stack trace"],
  [/node_modules|\/dist\/src\//, "a server file path"],
  [/\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b/, "SQL text"],
  [
    /duplicate key value|violates .* constraint|relation ".*" does not exist|syntax error at or near/,
    "a database error",
  ],
];

/** Every secret the tests have seen issued or used so far. */
export function registeredSecrets(): string[] {
  return [...secrets];
}

export function registerSecret(secret: string): void {
  if (secret) secrets.add(secret);
}

export let responsesChecked = 0;

/** Throws when a response body leaks; `issued` are secrets this very response is meant to carry. */
export function assertNoLeak(body: string, issued: readonly string[] = []): void {
  responsesChecked++;
  for (const [pattern, what] of FORBIDDEN_PATTERNS) {
    if (pattern.test(body)) throw new Error(`Response contains ${what}: ${body.slice(0, 500)}`);
  }
  for (const secret of secrets) {
    if (!issued.includes(secret) && body.includes(secret)) {
      throw new Error(`Response leaks a secret issued earlier: ${body.slice(0, 300)}`);
    }
  }
}
