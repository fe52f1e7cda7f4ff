import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkAccessList } from "./access-list-check";
import { parseBlock, parseClientAddress } from "./cidr";

const entries = ["10.0.0.0/8", "10.20.0.0/16"].map((cidrBlock) => ({
  id: cidrBlock,
  block: parseBlock(cidrBlock),
}));

describe("checkAccessList (Basic and OAuth access tokens alike)", () => {
  it("admits an address inside an entry, naming the most specific one", () => {
    assert.deepEqual(checkAccessList(entries, true, parseClientAddress("10.20.1.1")), {
      admitted: true,
      entryId: "10.20.0.0/16",
    });
  });

  it("refuses an address outside every entry, naming the address, whatever the setting", () => {
    for (const required of [true, false]) {
      const verdict = checkAccessList(entries, required, parseClientAddress("192.0.2.7"));
      assert.equal(verdict.admitted, false);
      assert.match(
        !verdict.admitted ? verdict.message : "",
        /192\.0\.2\.7.*not on this API key's access list/,
      );
    }
  });

  it("admits a key without entries only while its organization does not require a list", () => {
    assert.deepEqual(checkAccessList([], false, parseClientAddress("192.0.2.7")), {
      admitted: true,
      entryId: null,
    });
    const refused = checkAccessList([], true, parseClientAddress("192.0.2.7"));
    assert.equal(refused.admitted, false);
    assert.match(!refused.admitted ? refused.message : "", /empty access list.*requires one/);
  });

  it("refuses an address it cannot parse when the key has entries", () => {
    assert.equal(
      checkAccessList(entries, false, parseClientAddress("unix socket")).admitted,
      false,
    );
  });
});
