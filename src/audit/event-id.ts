import { randomBytes } from "node:crypto";

/**
 * Time-ordered event ids (UUID version 7, RFC 9562): 48 bits of milliseconds, then a 12-bit
 * counter, then random bits. Events of one transaction share `created_at` (the transaction's
 * start), so it is the id that orders them; ids made by one process only ever increase, so
 * "newest first" is exactly the reverse of the order the events were recorded in.
 */
export class EventIds {
  private lastMs = -1;
  private counter = 0;

  constructor(private readonly now: () => number = Date.now) {}

  next(): string {
    let ms = this.now();
    if (ms <= this.lastMs) {
      ms = this.lastMs;
      this.counter += 1;
      // 4096 ids in one millisecond: borrow the next millisecond rather than repeat.
      if (this.counter > 0xfff) {
        ms += 1;
        this.counter = 0;
      }
    } else {
      this.counter = 0;
    }
    this.lastMs = ms;
    const bytes = randomBytes(16);
    bytes.writeUIntBE(ms, 0, 6);
    bytes[6] = 0x70 | (this.counter >> 8);
    bytes[7] = this.counter & 0xff;
    bytes[8] = 0x80 | (bytes[8] & 0x3f);
    const hex = bytes.toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}
