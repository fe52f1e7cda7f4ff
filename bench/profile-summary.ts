import { readFileSync } from "node:fs";

/**
 * Summarises a `node --cpu-prof` profile for the notes of performance work: self time per
 * package and per function, and the inclusive time of named functions (everything they and their
 * callees cost), each as a share of the busy (non-idle) time.
 *
 *   node dist/bench/profile-summary.js FILE [--from S] [--to S] [--requests N] [--timeline] [PATTERN ...]
 *
 * `--from` / `--to` keep only the samples between those seconds after the profile started, so
 * start-up (module loading) and shutdown stay out of a load test's figures; `--timeline` prints
 * the busy share of each second, to find that window. `--requests` (how many the window
 * served) adds the busy time per request. A PATTERN matches a frame written as
 * `functionName file:line` (e.g. `onResponse`, `pino/lib/proto.js`, `authenticate `).
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const file = args.shift()!;
let from = 0;
let to = Infinity;
let requests = 0;
let timeline = false;
const patterns: string[] = [];
while (args.length > 0) {
  const arg = args.shift()!;
  if (arg === "--from") from = Number(args.shift());
  else if (arg === "--to") to = Number(args.shift());
  else if (arg === "--requests") requests = Number(args.shift());
  else if (arg === "--timeline") timeline = true;
  else patterns.push(arg);
}

const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parents = new Map<number, number>();
for (const node of profile.nodes)
  for (const child of node.children ?? []) parents.set(child, node.id);
const isIdle = (id: number) => nodes.get(id)!.callFrame.functionName === "(idle)";

const selfTime = new Map<number, number>();
const perSecond: { busy: number; all: number }[] = [];
let elapsed = 0;
profile.samples.forEach((id, index) => {
  const delta = profile.timeDeltas[index] ?? 0;
  elapsed += delta;
  const second = Math.floor(elapsed / 1e6);
  perSecond[second] ??= { busy: 0, all: 0 };
  perSecond[second].all += delta;
  if (!isIdle(id)) perSecond[second].busy += delta;
  if (elapsed < from * 1e6 || elapsed > to * 1e6) return;
  selfTime.set(id, (selfTime.get(id) ?? 0) + delta);
});
if (timeline) {
  console.log(
    "Busy share per second:\n" +
      perSecond.map((s, i) => `${i}:${s ? Math.round((100 * s.busy) / s.all) : "-"}`).join(" "),
  );
}

function where(url: string): string {
  const inModules = url.split("node_modules/")[1];
  if (inModules)
    return inModules.startsWith("@")
      ? inModules.split("/").slice(0, 2).join("/")
      : inModules.split("/")[0];
  if (url.includes("/dist/src/")) return "keyfob:" + url.split("/dist/src/")[1];
  return url.startsWith("node:") ? "node" : url || "(native)";
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.includes("node_modules/") ? url.split("node_modules/")[1] : where(url);
  return `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
}

const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
const inclusive = new Map(patterns.map((pattern) => [pattern, 0]));
let busy = 0;
let total = 0;
for (const [id, time] of selfTime) {
  total += time;
  if (isIdle(id)) continue;
  busy += time;
  const node = nodes.get(id)!;
  const name = frameName(node);
  byFunction.set(name, (byFunction.get(name) ?? 0) + time);
  const url = node.callFrame.url;
  const pkg = url.includes("/dist/src/") ? "keyfob" : where(url);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + time);
  // Each pattern counts a sample once, however often it recurs on the stack.
  const counted = new Set<string>();
  for (let frame: number | undefined = id; frame !== undefined; frame = parents.get(frame)) {
    const framed = frameName(nodes.get(frame)!);
    for (const pattern of patterns) {
      if (counted.has(pattern) || !framed.includes(pattern)) continue;
      counted.add(pattern);
      inclusive.set(pattern, inclusive.get(pattern)! + time);
    }
  }
}
const share = (time: number) => `${((time / busy) * 100).toFixed(1).padStart(5)}%`;
const top = (map: Map<string, number>, count: number) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, time]) => `${share(time)}  ${name}`);
console.log(
  `Window ${from} s to ${to === Infinity ? "end" : `${to} s`}: busy ${(busy / 1e6).toFixed(1)} s of ` +
    `${(total / 1e6).toFixed(1)} s; shares below are of the busy time.`,
);
if (requests > 0) {
  console.log(
    `Busy time per request: ${(busy / requests).toFixed(1)} µs over ${requests} requests.`,
  );
}
console.log("\nSelf time by package:\n" + top(byPackage, 15).join("\n"));
console.log("\nSelf time by function:\n" + top(byFunction, 30).join("\n"));
if (patterns.length > 0) {
  console.log(
    "\nInclusive time:\n" +
      [...inclusive].map(([pattern, time]) => `${share(time)}  ${pattern}`).join("\n"),
  );
}
