import { z } from "zod";
import * as ipaddr from "ipaddr.js";

/**
 * Every setting the service reads, parsed and checked once at start-up.
 * Nothing else in the code base reads `process.env`: it takes a `Config`.
 */
export interface Config {
  readonly nodeEnv: "development" | "production" | "test";
  readonly databaseUrl: string | undefined;
  readonly port: number;
  readonly host: string;
  /** Proxies whose `X-Forwarded-For` is believed; empty means the header is ignored. */
  readonly trustProxy: readonly string[];
  /** Server secret for keyed digests of tokens and private keys; undefined until the embedded database supplies one. */
  readonly secret: string | undefined;
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Where the embedded database keeps its files when no DATABASE_URL is set. */
  readonly dataDir: string;
  readonly allowSignup: boolean;
  readonly maxApiKeysPerOrganization: number;
  readonly redisUrl: string | undefined;
  /** A separate port for GET /metrics, off the public one; undefined serves it on the public port. */
  readonly metricsPort: number | undefined;
  /** Interface of the separate metrics port. */
  readonly metricsHost: string;
  /** Bearer token that GET /metrics requires wherever it is served; undefined requires none. */
  readonly metricsToken: string | undefined;
  /** Events older than this many days are pruned in the background. */
  readonly eventRetentionDays: number;
  /** Lifetime of an OAuth access token, before the caps of the key's and the secret's expiry. */
  readonly oauthTokenTtlSeconds: number;
  /** The service's public base URL (the OAuth issuer); undefined derives it from each request. */
  readonly publicUrl: string | undefined;
}

const booleanSetting = z
  .enum(["true", "false", "1", "0", "yes", "no"], { error: "must be true or false" })
  .transform((value) => value === "true" || value === "1" || value === "yes");

/** Strict forms only: `10.1` is a valid shorthand for 10.0.0.1, and never what an operator meant. */
function isStrictAddress(address: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(address) || ipaddr.IPv6.isValid(address);
}

const addressOrCidr = z.string().refine(
  (entry) => {
    const [address, prefix, ...rest] = entry.split("/");
    if (rest.length > 0 || !isStrictAddress(address)) return false;
    if (prefix === undefined) return true;
    try {
      ipaddr.parseCIDR(entry);
      return /^\d{1,3}$/.test(prefix);
    } catch {
      return false;
    }
  },
  { error: "must list IP addresses or CIDR blocks, separated by commas" },
);

const port = z
  .string()
  .regex(/^\d{1,5}$/, { error: "must be a port number" })
  .transform(Number)
  .pipe(z.number().max(65535, { error: "must be a port number" }));

const environmentSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z
    .url({
      protocol: /^postgres(ql)?$/,
      hostname: /.+/,
      error: "must be a postgres:// or postgresql:// URL with a host",
    })
    .optional(),
  PORT: port.default(4000),
  HOST: z.string().min(1).default("127.0.0.1"),
  TRUST_PROXY: z
    .string()
    .default("")
    .transform((list) =>
      list
        .split(",")
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .pipe(z.array(addressOrCidr)),
  KEYFOB_SECRET: z
    .string()
    .min(32, { error: "must be at least 32 characters (e.g. `openssl rand -base64 48`)" })
    .optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  KEYFOB_DATA_DIR: z.string().min(1).default(".keyfob"),
  ALLOW_SIGNUP: booleanSetting.default(true),
  MAX_API_KEYS_PER_ORGANIZATION: z
    .string()
    .regex(/^\d{1,6}$/, { error: "must be a whole number" })
    .transform(Number)
    .pipe(z.number().min(1).max(100_000))
    .default(500),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: "must be a redis:// URL" }).optional(),
  METRICS_PORT: port.optional(),
  METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  METRICS_TOKEN: z
    .string()
    .min(32, { error: "must be at least 32 characters (e.g. `openssl rand -hex 32`)" })
    .regex(/^[\x21-\x7e]+$/, { error: "must be printable ASCII without spaces" })
    .optional(),
  EVENT_RETENTION_DAYS: z
    .string()
    .regex(/^\d{1,5}$/, { error: "must be a whole number of days" })
    .transform(Number)
    .pipe(z.number().min(1, { error: "must be at least 1" }).max(36_500))
    .default(365),
  OAUTH_TOKEN_TTL_SECONDS: z
    .string()
    .regex(/^\d{1,6}$/, { error: "must be a whole number of seconds" })
    .transform(Number)
    .pipe(z.number().min(1).max(86_400))
    .default(3600),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, hostname: /.+/, error: "must be an http:// or https:// URL" })
    .refine((url) => !/[?#]/.test(url), { error: "must have no query or fragment" })
    .transform((url) => url.replace(/\/+$/, ""))
    .optional(),
});

/** Rules across settings, checked on the raw values so they are reported alongside field errors. */
function crossSettingProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if (env.NODE_ENV === "production" && env.DATABASE_URL && !env.KEYFOB_SECRET) {
    problems.push("KEYFOB_SECRET is required when NODE_ENV=production and DATABASE_URL is set");
  }
  if (env.METRICS_HOST && !env.METRICS_PORT) {
    problems.push("METRICS_HOST needs METRICS_PORT (without it, /metrics is on the public port)");
  }
  const publicPort = Number(env.PORT ?? 4000);
  if (env.METRICS_PORT && Number(env.METRICS_PORT) === publicPort && publicPort !== 0) {
    problems.push("METRICS_PORT must differ from PORT");
  }
  return problems;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid settings:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

function unique(problems: string[]): string[] {
  return [...new Set(problems)];
}

/** Parses settings from an environment; throws a `ConfigError` naming every problem at once. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings are how shells and compose files say "unset".
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = environmentSchema.safeParse(present);
  const problems = unique([
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`)),
    ...crossSettingProblems(present),
  ]);
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const settings = parsed.data;
  return Object.freeze({
    nodeEnv: settings.NODE_ENV,
    databaseUrl: settings.DATABASE_URL,
    port: settings.PORT,
    host: settings.HOST,
    trustProxy: Object.freeze(settings.TRUST_PROXY),
    secret: settings.KEYFOB_SECRET,
    logLevel: settings.LOG_LEVEL,
    dataDir: settings.KEYFOB_DATA_DIR,
    allowSignup: settings.ALLOW_SIGNUP,
    maxApiKeysPerOrganization: settings.MAX_API_KEYS_PER_ORGANIZATION,
    redisUrl: settings.REDIS_URL,
    metricsPort: settings.METRICS_PORT,
    metricsHost: settings.METRICS_HOST,
    metricsToken: settings.METRICS_TOKEN,
    eventRetentionDays: settings.EVENT_RETENTION_DAYS,
    oauthTokenTtlSeconds: settings.OAUTH_TOKEN_TTL_SECONDS,
    publicUrl: settings.PUBLIC_URL,
  });
}

/** The bootstrap command's password, when given through the environment rather than stdin. */
export function bootstrapPasswordFromEnvironment(
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  return env.KEYFOB_BOOTSTRAP_PASSWORD || undefined;
}
