import { mostSpecificBlock, type ClientAddress, type ParsedBlock } from "./cidr";

export type AccessListVerdict =
  /** `entryId` is the admitting entry, null when the key has none and none is required. */
  { admitted: true; entryId: string | null } | { admitted: false; message: string };

/**
 * The access-list rule of every key credential (Basic, or an OAuth access token): a key with
 * entries is admitted only from an address inside one; a key without entries only while its
 * organization does not require a list. The refusal names the address keyfob saw.
 */
export function checkAccessList(
  entries: readonly { id: string; block: ParsedBlock }[],
  accessListRequired: boolean,
  client: ClientAddress,
): AccessListVerdict {
  const admitting = mostSpecificBlock(entries, client);
  const clientAddress = client.text;
  if (entries.length > 0 && !admitting) {
    return {
      admitted: false,
      message: `Requests from ${clientAddress} are not on this API key's access list. Add the address, or a CIDR block that contains it, to the key's access list (addApiKeyAccessListEntries).`,
    };
  }
  if (entries.length === 0 && accessListRequired) {
    return {
      admitted: false,
      message: `This API key has an empty access list and its organization requires one (apiAccessListRequired), so the request from ${clientAddress} was refused. Add ${clientAddress} to the key's access list, or have an organization owner turn the requirement off.`,
    };
  }
  return { admitted: true, entryId: admitting?.id ?? null };
}
