import { execFileSync } from "node:child_process";
import { takeFlag, takeOption } from "./arguments";

/**
 * Where `perf record` samples (bench/profile.js --tool perf) went, in microseconds of CPU per
 * request, by function and by shared object (the kernel, node's C++ and V8's builtins, JIT-compiled
 * JavaScript, libc); the comparison of two sets of profiles shows OTHER − FILES, largest growth
 * first.
 *
 *   node dist/bench/perf-functions.js FILES [OTHER_FILES] --requests N [--top K] [--inclusive]
 *
 * FILES and OTHER_FILES are comma-separated `perf.data` files of one scenario and build each,
 * averaged: a single profile's total moves by ±5 % with the machine, three of each tell a 1 µs
 * change apart. Self time by default; `--inclusive` counts each sample once for every function on
 * its stack, which names the callers whose subtree grew (V8 inlines freely, so a JavaScript
 * function's own line can hide its callees).
 */
const args = process.argv.slice(2);
const inclusive = takeFlag(args, "inclusive");
const requests = Number(takeOption(args, "requests", "1"));
const top = Number(takeOption(args, "top", "40"));
const [first, second] = args;
if (!first || !(requests > 0)) {
  console.error(
    "usage: node dist/bench/perf-functions.js FILES [OTHER_FILES] --requests N [--top K] [--inclusive]",
  );
  process.exit(2);
}

interface Costs {
  /** Nanoseconds of CPU by function, per profile, summed over the profiles. */
  functions: Map<string, number>;
  objects: Map<string, number>;
  total: number;
  profiles: number;
}

/** A frame line of `perf script -F period,ip,sym,dso`: `addr symbol (object)`. */
const FRAME = /^\s*[0-9a-f]+\s+(.*?)\s+\((.*)\)$/;

function costsOf(files: string): Costs {
  const costs: Costs = { functions: new Map(), objects: new Map(), total: 0, profiles: 0 };
  const add = (map: Map<string, number>, key: string, ns: number) =>
    map.set(key, (map.get(key) ?? 0) + ns);
  for (const file of files.split(",")) {
    costs.profiles += 1;
    const script = execFileSync("perf", ["script", "-i", file, "-F", "period,ip,sym,dso"], {
      encoding: "utf8",
      maxBuffer: 1 << 30,
      stdio: ["ignore", "pipe", "ignore"],
    });
    for (const sample of script.split("\n\n")) {
      const lines = sample.split("\n").filter((line) => line.trim() !== "");
      // cpu-clock samples: the period is in nanoseconds.
      const period = Number(lines[0]?.trim());
      if (!(period > 0)) continue;
      costs.total += period;
      const frames = lines.slice(1).flatMap((line) => {
        const match = FRAME.exec(line);
        return match ? [{ name: functionName(match[1]), object: objectName(match[2]) }] : [];
      });
      if (frames.length === 0) continue;
      add(costs.objects, frames[0].object, period);
      if (!inclusive) {
        add(costs.functions, frames[0].name, period);
        continue;
      }
      for (const name of new Set(frames.map((frame) => frame.name))) {
        add(costs.functions, name, period);
      }
    }
  }
  return costs;
}

/** JIT code as `JS name file:line:column`, whatever its tier (`*` optimised, `^` baseline, `~` interpreted). */
function functionName(symbol: string): string {
  return symbol.replace(/\+0x[0-9a-f]+$/, "").replace(/^JS:[*^~+]?/, "JS ");
}

function objectName(path: string): string {
  if (/\/perf-\d+\.map$/.test(path)) return "JIT-compiled JavaScript";
  if (path === "[kernel.kallsyms]") return "kernel";
  return path.replace(/^.*\//, "");
}

const microseconds = (ns: number, costs: Costs) => ns / costs.profiles / requests / 1000;
const cell = (value: number) => value.toFixed(2).padStart(8);

function print(title: string, key: "functions" | "objects", base: Costs, other?: Costs): void {
  console.log(`\n${title} (µs of CPU per request)`);
  const names = new Set([...base[key].keys(), ...(other ? other[key].keys() : [])]);
  const rows = [...names].map((name) => {
    const before = microseconds(base[key].get(name) ?? 0, base);
    const after = other ? microseconds(other[key].get(name) ?? 0, other) : before;
    return { name, before, after };
  });
  rows.sort((x, y) => (other ? y.after - y.before - (x.after - x.before) : y.before - x.before));
  if (other) {
    console.log(
      `  change    first   second  total ${cell(microseconds(base.total, base)).trim()} → ` +
        cell(microseconds(other.total, other)).trim(),
    );
  } else {
    console.log(`      µs  total ${cell(microseconds(base.total, base)).trim()}`);
  }
  for (const { name, before, after } of rows.slice(0, top)) {
    const figures = other
      ? `${(after - before >= 0 ? "+" : "") + (after - before).toFixed(2)}`.padStart(8) +
        cell(before) +
        cell(after)
      : cell(before);
    console.log(`${figures}  ${name.slice(0, 150)}`);
  }
}

const base = costsOf(first);
const other = second ? costsOf(second) : undefined;
print(inclusive ? "By object, self" : "By object", "objects", base, other);
print(inclusive ? "By function, inclusive" : "By function", "functions", base, other);
