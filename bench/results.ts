import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as prettier from "prettier";

/**
 * The benchmark's history: every run of `npm run bench` is appended to bench/results.json (date,
 * commit, machine, settings, figures) and bench/RESULTS.md is rewritten from it, newest run
 * first, so a regression shows beside the runs before it.
 */
export interface Figures {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
}

export interface Run {
  /** ISO time the run finished. */
  date: string;
  /** Short hash of HEAD, with "+changes" when the working tree differed from it. */
  commit: string;
  machine: string;
  settings: { connections: number; seconds: number; rounds: number; pairs?: number };
  scenarios: Record<string, Figures>;
  /** Each the median of per-round ratios. */
  ratios: Record<string, number>;
  /** The lowest and highest per-round value of each ratio taken per round (runs since 2026-12-04). */
  ratioRanges?: Record<string, [number, number]>;
  seedSeconds: number;
  totalSeconds: number;
  /** Anything a reader must know about this run's figures. */
  note?: string;
}

/** b / a again, in thirty pairs of back-to-back 1 s slices (since 2026-12-04): the precise one. */
export const PAIRED_RATIO = "b / a, paired 1 s slices";

/** The ratios the issue sets as goals; the others are shown for comparison. */
export const TARGETS: Record<string, number> = {
  "b / a": 0.9,
  [PAIRED_RATIO]: 0.9,
  "a / e": 0.5,
  "b (1 M) / b (1 k)": 0.9,
  "b (1 M) / b (1 k), each against a": 0.9,
  /** A request with an OAuth access token costs no more than one with Basic (issue 11). */
  "g / b": 1.0,
};

const BENCH = path.join(__dirname, "..", "..", "bench");
const HISTORY = path.join(BENCH, "results.json");
const REPORT = path.join(BENCH, "RESULTS.md");

export function describeCommit(root: string): string {
  try {
    const git = (...args: string[]) =>
      execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
    const changed = git(
      "status",
      "--porcelain",
      "--untracked-files=no",
      "--",
      ".",
      ":!bench/results.json",
      ":!bench/RESULTS.md",
    );
    return `${git("rev-parse", "--short", "HEAD")}${changed ? "+changes" : ""}`;
  } catch {
    return "unknown";
  }
}

export function describeMachine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export function readHistory(): Run[] {
  return existsSync(HISTORY) ? (JSON.parse(readFileSync(HISTORY, "utf8")) as Run[]) : [];
}

/** Appends `run` to the history and rewrites RESULTS.md from the whole of it. */
export async function recordRun(run: Run): Promise<void> {
  const history = [...readHistory(), run];
  await writeFormatted(HISTORY, JSON.stringify(history));
  await writeFormatted(REPORT, renderReport(history));
}

/** Both files are committed, and `npm run check` holds them to the house format. */
async function writeFormatted(file: string, text: string): Promise<void> {
  const options = await prettier.resolveConfig(file);
  writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
}

const fixed = (value: number | undefined) => (value === undefined ? "–" : value.toFixed(2));
const rate = (figures: Figures | undefined) =>
  figures ? figures.requestsPerSecond.toFixed(0) : "–";

function verdict(name: string, value: number | undefined): string {
  const target = TARGETS[name];
  if (target === undefined || value === undefined) return "";
  return value >= target ? " ✓" : " ✗";
}

export function renderReport(history: readonly Run[]): string {
  const newestFirst = [...history].reverse();
  const lines = [
    "# Benchmark results",
    "",
    "Written by `npm run bench` (bench/run.ts) from [`results.json`](results.json), which keeps every run; newest first. " +
      "The production build on the local PostgreSQL; autocannon on the same machine. Scenarios a, b, c, e and g run in " +
      "interleaved rounds (a and b again after seeding 1 M keys), a and b swapping places every other round since 2026-12-04 (before, b always followed a; the run at 99c2f73 reversed the whole order every other round); each figure is the median of its rounds, each ratio the " +
      "median of per-round ratios (the lowest and highest round are shown beside it since 2026-12-04). Absolute figures move with the machine's load (other sessions share the host); compare the ratios. " +
      `Since 2026-12-04 b / a is also measured in ${"`"}${PAIRED_RATIO}${"`"}: thirty pairs of 1 s slices of a and b back to back, in alternating order, on the warm service; the median of the pairs' ratios, with the middle half of them beside it. ` +
      "The machine's speed moves by a fifth within a minute, so 5-second rounds twelve seconds apart disagree by ±0.15 while the two slices of a pair see the same spell: four runs of one build gave 0.85–0.87 by this figure, where the rounds' median moved 0.79–0.93.",
    "",
    "- (a) anonymous `{ __typename }`; (b) `viewer` with an API key (Basic, 3-entry access list); (c) `viewer` with a user's bearer token; " +
      "(d) a 100-key page with assignments and access lists; (e) the floor: node:http + pg doing the same key verification, no framework; " +
      "(g) `viewer` with an OAuth access token of the same key as (b) (runs since the scenario was added).",
    `- Targets: ${Object.entries(TARGETS)
      .map(([name, target]) => `${name} ≥ ${target.toFixed(2)}`)
      .join(", ")}.`,
    "",
    "## Runs",
    "",
    "| Date | Commit | a req/s | b req/s | e req/s | b / a | b / a paired | a / e | b / e | b 1 M / 1 k | s × rounds |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...newestFirst.map(
      (run) =>
        `| ${run.date.slice(0, 10)} | ${run.commit} | ${rate(run.scenarios.a)} | ${rate(run.scenarios.b)} | ${rate(run.scenarios.e)} ` +
        `| ${fixed(run.ratios["b / a"])}${verdict("b / a", run.ratios["b / a"])} ` +
        `| ${fixed(run.ratios[PAIRED_RATIO])}${verdict(PAIRED_RATIO, run.ratios[PAIRED_RATIO])} ` +
        `| ${fixed(run.ratios["a / e"])}${verdict("a / e", run.ratios["a / e"])} ` +
        `| ${fixed(run.ratios["b / e"])} ` +
        `| ${fixed(run.ratios["b (1 M) / b (1 k)"])}${verdict("b (1 M) / b (1 k)", run.ratios["b (1 M) / b (1 k)"])} ` +
        `| ${run.settings.seconds} × ${run.settings.rounds} |`,
    ),
    "",
  ];
  for (const run of newestFirst) {
    lines.push(
      `## ${run.date.slice(0, 10)}, ${run.commit}`,
      "",
      `${run.machine}; autocannon ${run.settings.connections} connections, ${run.settings.seconds} s per measurement ` +
        `after a 1 s warm-up, ${run.settings.rounds} rounds. Seeding 999,000 filler keys took ${run.seedSeconds.toFixed(0)} s; ` +
        `the whole run ${run.totalSeconds.toFixed(0)} s.${run.note ? ` ${run.note}` : ""}`,
      "",
      "| Scenario | req/s | p50 (ms) | p99 (ms) | non-2xx |",
      "| --- | ---: | ---: | ---: | ---: |",
      ...Object.values(run.scenarios).map(
        (r) =>
          `| ${r.name} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.non2xx} |`,
      ),
      "",
      "| Ratio | Value | Rounds (paired: middle half) | Target |",
      "| --- | ---: | ---: | ---: |",
      ...Object.entries(run.ratios).map(([name, value]) => {
        const range = run.ratioRanges?.[name];
        const rounds = range ? `${range[0].toFixed(2)}–${range[1].toFixed(2)}` : "";
        return `| ${name} | ${value.toFixed(2)}${verdict(name, value)} | ${rounds} | ${TARGETS[name] === undefined ? "" : `≥ ${TARGETS[name].toFixed(2)}`} |`;
      }),
      "",
    );
  }
  return lines.join("\n");
}
