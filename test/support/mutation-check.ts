import type { Client } from "./client";
import type { SentMutation } from "./mixed-load";

const KEY_PAGE = `query ($id: ID!, $after: String) {
  organization(id: $id) {
    apiKeys(first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { id description accessList { cidrBlock } projectAssignments { roles project { id } } } }
    } } }`;
const VIEWER = `{ viewer { __typename ... on ApiKey { id } } }`;

interface KeyNode {
  id: string;
  description: string;
  accessList: { cidrBlock: string }[];
  projectAssignments: { roles: string[]; project: { id: string } }[];
}

export interface MutationCheck {
  /** Mutations looked at. */
  checked: number;
  /** Answered with success, and there, whole. */
  presentAfterSuccess: number;
  /** Answered with an error (or not at all), and absent. */
  absentAfterError: number;
  /** Answered with an error (or not at all), and there, whole: the commit had landed. */
  wholeAfterError: number;
  /** Keys created with success whose private key still authenticates. */
  secretsVerified: number;
  /** What is wrong, one line each: a missing key, a half-made one, a partial access-list change. */
  violations: string[];
}

/** Every key of an organization, through the API, page by page. */
async function keysOf(owner: Client, organizationId: string): Promise<KeyNode[]> {
  const keys: KeyNode[] = [];
  let after: string | null = null;
  for (;;) {
    const data: any = await owner.query(KEY_PAGE, { id: organizationId, after });
    const page = data.organization.apiKeys;
    keys.push(...page.edges.map((edge: { node: KeyNode }) => edge.node));
    if (!page.pageInfo.hasNextPage) return keys;
    after = page.pageInfo.endCursor;
  }
}

/**
 * Checks, through the API, that every mutation the load sent left the database as its answer
 * allows: answered with success, the key is there with its whole access list and assignment (and
 * its private key authenticates); answered with an error or not at all, absent or whole. An
 * access-list addition is all its entries or none.
 */
export async function checkMutations(
  owner: Client,
  mutations: readonly SentMutation[],
): Promise<MutationCheck> {
  const check: MutationCheck = {
    checked: 0,
    presentAfterSuccess: 0,
    absentAfterError: 0,
    wholeAfterError: 0,
    secretsVerified: 0,
    violations: [],
  };
  const organizations = [...new Set(mutations.map((mutation) => mutation.organizationId))];
  const byDescription = new Map<string, KeyNode>();
  const byId = new Map<string, KeyNode>();
  for (const organizationId of organizations) {
    for (const key of await keysOf(owner, organizationId)) {
      byDescription.set(key.description, key);
      byId.set(key.id, key);
    }
  }
  /** Every block that some mutation may have put on each key. */
  const allowedBlocks = new Map<string, Set<string>>();
  const allow = (keyId: string, blocks: string[]) => {
    const allowed = allowedBlocks.get(keyId) ?? new Set<string>();
    blocks.forEach((block) => allowed.add(block));
    allowedBlocks.set(keyId, allowed);
  };

  for (const mutation of mutations) {
    check.checked += 1;
    const succeeded = mutation.verdict === "ok";
    const label = `${mutation.kind} answered ${succeeded ? "with success" : mutation.verdict}`;
    if (mutation.kind === "addApiKeyAccessListEntries") {
      const key = byId.get(mutation.apiKeyId!);
      const blocks = new Set(key?.accessList.map((entry) => entry.cidrBlock));
      const present = mutation.cidrBlocks.filter((block) => blocks.has(block)).length;
      allow(mutation.apiKeyId!, mutation.cidrBlocks);
      if (present === mutation.cidrBlocks.length) {
        if (succeeded) check.presentAfterSuccess += 1;
        else check.wholeAfterError += 1;
      } else if (present === 0 && !succeeded) {
        check.absentAfterError += 1;
      } else {
        check.violations.push(
          `${label}: ${present} of ${mutation.cidrBlocks.length} entries on key ${mutation.apiKeyId}`,
        );
      }
      continue;
    }
    const key = byDescription.get(mutation.description!);
    if (!key) {
      if (succeeded) check.violations.push(`${label}: key ${mutation.apiKeyId} is gone`);
      else check.absentAfterError += 1;
      continue;
    }
    allow(key.id, mutation.cidrBlocks);
    const problems = wholeness(mutation, key);
    if (problems.length > 0) {
      check.violations.push(`${label}: key ${key.id} ${problems.join(", ")}`);
    } else if (succeeded) {
      check.presentAfterSuccess += 1;
    } else {
      check.wholeAfterError += 1;
    }
    if (succeeded && key.id !== mutation.apiKeyId) {
      check.violations.push(`${label}: found as ${key.id}, reported as ${mutation.apiKeyId}`);
    }
  }

  for (const [keyId, allowed] of allowedBlocks) {
    const extra = byId.get(keyId)?.accessList.filter((entry) => !allowed.has(entry.cidrBlock));
    if (extra?.length) {
      check.violations.push(
        `key ${keyId} holds entries nobody asked for: ${JSON.stringify(extra)}`,
      );
    }
  }

  const created = mutations.filter((mutation) => mutation.verdict === "ok" && mutation.privateKey);
  for (let i = 0; i < created.length; i += 8) {
    await Promise.all(
      created.slice(i, i + 8).map(async (mutation) => {
        const key = owner.as({
          kind: "apiKey",
          publicKey: mutation.publicKey!,
          privateKey: mutation.privateKey!,
        });
        const result = await key.raw(VIEWER);
        const viewer = (result.data as { viewer?: { id?: string } } | undefined)?.viewer;
        if (result.status === 200 && viewer?.id === mutation.apiKeyId) check.secretsVerified += 1;
        else
          check.violations.push(
            `key ${mutation.apiKeyId} no longer authenticates: ${result.text.slice(0, 200)}`,
          );
      }),
    );
  }
  return check;
}

/** What a key created by `mutation` lacks: its requested access list or project assignment. */
function wholeness(mutation: SentMutation, key: KeyNode): string[] {
  const problems: string[] = [];
  const blocks = new Set(key.accessList.map((entry) => entry.cidrBlock));
  const missing = mutation.cidrBlocks.filter((block) => !blocks.has(block));
  if (missing.length > 0) problems.push(`lacks access-list entries ${missing.join(" ")}`);
  if (mutation.projectId) {
    const assignment = key.projectAssignments.find(
      (candidate) => candidate.project.id === mutation.projectId,
    );
    if (!assignment) problems.push("lacks its project assignment");
    else if ([...assignment.roles].sort().join() !== [...mutation.projectRoles!].sort().join()) {
      problems.push(`has project roles ${assignment.roles.join(" ")}`);
    }
  }
  return problems;
}
