import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import { Pool } from "pg";
import * as ipaddr from "ipaddr.js";

/**
 * The floor for scenario (b): a minimal node:http + pg server doing the same key verification
 * (the same one SQL statement on a miss, the same short-lived cache, HMAC digest compared in
 * constant time with each secret, the expiry and enabled checks, longest-prefix access-list
 * match) and answering the same JSON, with no framework, no GraphQL and no logging. The best
 * Node can do here.
 */
const secret = process.env.KEYFOB_SECRET!;
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const cache = new Map<string, { row: any; expiresAt: number }>();
const BODY = JSON.stringify({ data: { viewer: { __typename: "ApiKey" } } });

async function load(publicKey: string) {
  const cached = cache.get(publicKey);
  if (cached && cached.expiresAt > Date.now()) return cached.row;
  const { rows } = await pool.query(
    `SELECT k.id, k.enabled, k.expires_at, o.api_access_list_required,
            COALESCE((SELECT json_agg(json_build_object('id', e.id, 'cidrBlock', e.cidr_block::text))
                        FROM api_key_access_list_entries e WHERE e.api_key_id = k.id), '[]') AS entries,
            COALESCE((SELECT json_agg(json_build_object('id', s.id, 'digest', encode(s.digest, 'base64'),
                                                        'expiresAt', s.expires_at))
                        FROM api_key_secrets s WHERE s.api_key_id = k.id), '[]') AS secrets
       FROM api_keys k JOIN organizations o ON o.id = k.organization_id WHERE k.public_key = $1`,
    [publicKey],
  );
  const row = rows[0]
    ? {
        ...rows[0],
        expiresAt: rows[0].expires_at?.getTime() ?? null,
        secrets: rows[0].secrets.map((secret: any) => ({
          digest: Buffer.from(secret.digest, "base64"),
          expiresAt: secret.expiresAt === null ? null : Date.parse(secret.expiresAt),
        })),
      }
    : null;
  cache.set(publicKey, { row, expiresAt: Date.now() + 10_000 });
  return row;
}

function admitted(entries: { cidrBlock: string }[], address: string): boolean {
  const parsed = ipaddr.process(address);
  return entries.some((entry) => {
    const [network, prefix] = ipaddr.parseCIDR(entry.cidrBlock);
    return network.kind() === parsed.kind() && parsed.match(network, prefix);
  });
}

const server = http.createServer((request, response) => {
  request.resume();
  request.on("end", async () => {
    const header = request.headers.authorization ?? "";
    const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
    const [publicKey, privateKey] = decoded.split(":");
    const row = await load(publicKey);
    const digest = createHmac("sha256", secret)
      .update(privateKey ?? "")
      .digest();
    const now = Date.now();
    const matched = row?.secrets.find((candidate: { digest: Buffer }) =>
      timingSafeEqual(digest, candidate.digest),
    );
    const ok =
      matched &&
      (matched.expiresAt === null || matched.expiresAt > now) &&
      row.enabled &&
      (row.expiresAt === null || row.expiresAt > now);
    const address = request.socket.remoteAddress ?? "";
    if (
      !ok ||
      !(row.entries.length ? admitted(row.entries, address) : !row.api_access_list_required)
    ) {
      response.writeHead(401).end();
      return;
    }
    response.writeHead(200, { "content-type": "application/json" }).end(BODY);
  });
});

server.listen(Number(process.env.PORT ?? 4900), "127.0.0.1", () => {
  console.log(`floor listening on ${(server.address() as { port: number }).port}`);
});
process.on("SIGTERM", () => server.close(() => pool.end().then(() => process.exit(0))));
