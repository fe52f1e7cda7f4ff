import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { takeOption } from "./arguments";

/**
 * Where a callgrind profile's instructions went, by function and by package, with the
 * JIT-compiled JavaScript named: callgrind sees V8's generated code as bare addresses, which the
 * perf map node writes under `--perf-basic-prof-only-functions` (`/tmp/perf-PID.map`) names.
 * Instruction counts, unlike CPU time, repeat from run to run on this shared machine, so two
 * profiles (a checkout before and after a change, or scenario a beside b) can be told apart by a
 * few hundred instructions per request.
 *
 *   node dist/bench/callgrind-functions.js FILE [OTHER_FILE] --requests N [--top K]
 *
 * FILE is one thread's dump (`callgrind.out.PID.PART-01`, the main thread, as bench/profile.js
 * leaves it); with OTHER_FILE the tables show OTHER − FILE per request, largest growth first.
 * Self costs only: V8 inlines freely, so inclusive costs of JavaScript functions mislead.
 */
interface PerfSymbol {
  start: number;
  end: number;
  name: string;
}

const args = process.argv.slice(2);
const requests = Number(takeOption(args, "requests", "1"));
const top = Number(takeOption(args, "top", "30"));
const [first, second] = args;
if (!first || !(requests > 0)) {
  console.error(
    "usage: node dist/bench/callgrind-functions.js FILE [OTHER_FILE] --requests N [--top K]",
  );
  process.exit(2);
}

/** Self instructions per function name, from callgrind's own format (positions compressed). */
function selfCosts(file: string): Map<string, number> {
  const names = new Map<string, string>();
  const costs = new Map<string, number>();
  let current = "";
  let skipCallCost = false;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.startsWith("fn=")) {
      current = compressedName(names, line.slice(3));
      continue;
    }
    // Called functions are named too (cfn=), sharing the compression table.
    if (line.startsWith("cfn=")) {
      compressedName(names, line.slice(4));
      continue;
    }
    if (line.startsWith("calls=")) {
      // The next cost line is the call's inclusive cost, not this function's own.
      skipCallCost = true;
      continue;
    }
    const cost = /^(?:[+-]?\d+|\*|0x[0-9a-f]+)\s+(\d+)/.exec(line);
    if (!cost) continue;
    if (skipCallCost) {
      skipCallCost = false;
      continue;
    }
    costs.set(current, (costs.get(current) ?? 0) + Number(cost[1]));
  }
  return costs;
}

/** `(12) name` defines function id 12, `(12)` refers to it. */
function compressedName(names: Map<string, string>, text: string): string {
  const match = /^\((\d+)\)(?: (.*))?$/.exec(text);
  if (!match) return text;
  const [, id, name] = match;
  if (name !== undefined) names.set(id, name);
  return names.get(id) ?? text;
}

function perfMap(file: string): PerfSymbol[] {
  const pid = /callgrind\.out\.(\d+)/.exec(path.basename(file))?.[1];
  const mapFile = `/tmp/perf-${pid}.map`;
  if (!pid || !existsSync(mapFile)) {
    console.error(`no perf map ${mapFile}: JavaScript stays unnamed`);
    return [];
  }
  const symbols: PerfSymbol[] = [];
  for (const line of readFileSync(mapFile, "utf8").split("\n")) {
    const [start, size, ...name] = line.split(" ");
    if (!start || !size || name.length === 0) continue;
    const from = parseInt(start, 16);
    symbols.push({ start: from, end: from + parseInt(size, 16), name: name.join(" ") });
  }
  // Code is moved and recompiled as a run goes on: the latest symbol at an address wins.
  return symbols.reverse();
}

/** The function's name, JavaScript resolved through the perf map, file paths shortened. */
function resolver(symbols: PerfSymbol[]): (name: string) => string {
  const byStart = [...symbols].sort((a, b) => a.start - b.start);
  const resolved = new Map<string, string>();
  return (name) => {
    const known = resolved.get(name);
    if (known !== undefined) return known;
    let result = name.replace(/ \[.*\]$/, "").replace(/^\?\?\?:/, "");
    const address = /^0x([0-9a-f]+)/.exec(result);
    if (address) {
      const at = parseInt(address[1], 16);
      const symbol = latestContaining(byStart, symbols, at);
      result = symbol
        ? "JS " + symbol.name.replace(/^(JS|LazyCompile|Function):[~*^+]?/, "")
        : "JS (unnamed code)";
    }
    resolved.set(name, result);
    return result;
  };
}

function latestContaining(
  byStart: PerfSymbol[],
  newestFirst: PerfSymbol[],
  at: number,
): PerfSymbol | undefined {
  // Few symbols cover one address; the binary search narrows to those starting at or before it.
  let low = 0;
  let high = byStart.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (byStart[middle].start <= at) low = middle + 1;
    else high = middle;
  }
  const candidates = new Set<PerfSymbol>();
  for (let index = low - 1; index >= 0 && index >= low - 64; index--) {
    if (byStart[index].end > at) candidates.add(byStart[index]);
  }
  return newestFirst.find((symbol) => candidates.has(symbol));
}

/** npm package, keyfob source file, node core module, or the kind of native code. */
function packageOf(name: string): string {
  if (name.startsWith("JS ")) {
    const place = /(node_modules\/(?:@[^/]+\/)?[^/]+)|dist\/(src\/[^ :]+)|(node:[^ :]+)/.exec(name);
    if (!place) return "JS (unnamed code)";
    return place[1] ? place[1].slice("node_modules/".length) : (place[2] ?? place[3]);
  }
  if (name.startsWith("Builtins_")) return "V8 builtins";
  if (/sha256|SHA256|EVP_|OPENSSL|CRYPTO_/.test(name)) return "OpenSSL";
  if (/^(v8::|heap::|cppgc::)/.test(name)) return "V8 runtime and GC";
  if (/^(node::|uv_)/.test(name)) return "node and libuv (native)";
  if (name.startsWith("llhttp")) return "llhttp";
  if (name.includes("simdutf")) return "simdutf";
  return "other native (libc, kernel entry)";
}

function grouped(costs: Map<string, number>, by: (name: string) => string): Map<string, number> {
  const groups = new Map<string, number>();
  for (const [name, cost] of costs) {
    const group = by(name);
    groups.set(group, (groups.get(group) ?? 0) + cost);
  }
  return groups;
}

function table(
  title: string,
  base: Map<string, number>,
  other: Map<string, number> | undefined,
): void {
  const perRequest = (cost: number) => Math.round(cost / requests);
  const rows = [...new Set([...base.keys(), ...(other?.keys() ?? [])])].map((name) => ({
    name,
    base: perRequest(base.get(name) ?? 0),
    other: other ? perRequest(other.get(name) ?? 0) : 0,
  }));
  const key = (row: (typeof rows)[number]) => (other ? row.other - row.base : row.base);
  rows.sort((a, b) => key(b) - key(a));
  const total = (costs: Map<string, number>) =>
    perRequest([...costs.values()].reduce((sum, cost) => sum + cost, 0));
  console.log(`\n${title} (instructions per request)`);
  console.log(
    other
      ? `${"change".padStart(8)} ${"first".padStart(8)} ${"second".padStart(8)}  total ${total(base)} → ${total(other)}`
      : `${"self".padStart(8)}  total ${total(base)}`,
  );
  for (const row of rows.slice(0, top)) {
    const figures = other
      ? `${String(row.other - row.base).padStart(8)} ${String(row.base).padStart(8)} ${String(row.other).padStart(8)}`
      : String(row.base).padStart(8);
    console.log(`${figures}  ${row.name.slice(0, 140)}`);
  }
}

const named = (file: string) => grouped(selfCosts(file), resolver(perfMap(file)));
const base = named(first);
const other = second ? named(second) : undefined;
table("By package", grouped(base, packageOf), other && grouped(other, packageOf));
table("By function", base, other);
