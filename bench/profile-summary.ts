import { readFileSync } from "node:fs";

/**
 * Summarises a `node --cpu-prof` profile: self time per function and total time per package,
 * for the closing notes of performance work. Usage: node dist/bench/profile-summary.js FILE
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

const profile = JSON.parse(readFileSync(process.argv[2], "utf8")) as Profile;
const selfTime = new Map<number, number>();
profile.samples.forEach((id, index) => {
  selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
});

function where(url: string): string {
  const inModules = url.split("node_modules/")[1];
  if (inModules)
    return inModules.startsWith("@")
      ? inModules.split("/").slice(0, 2).join("/")
      : inModules.split("/")[0];
  if (url.includes("/dist/src/")) return "keyfob:" + url.split("/dist/src/")[1];
  return url.startsWith("node:") ? "node" : url || "(native)";
}

const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
let total = 0;
for (const node of profile.nodes) {
  const time = selfTime.get(node.id) ?? 0;
  total += time;
  const { functionName, url, lineNumber } = node.callFrame;
  const key = `${functionName || "(anonymous)"} ${where(url)}:${lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + time);
  const pkg = url.includes("/dist/src/") ? "keyfob" : where(url);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + time);
}
const top = (map: Map<string, number>, count: number) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, time]) => `${((time / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
console.log("Self time by package:\n" + top(byPackage, 15).join("\n"));
console.log("\nSelf time by function:\n" + top(byFunction, 30).join("\n"));
