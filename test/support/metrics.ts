import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { request } from "./http";
import { assertNoLeak } from "./leaks";

/**
 * Scrapes are parsed by the Prometheus project's own text-format parser, the one in its Python
 * client (Debian's python3-prometheus-client). The npm parsers fall short of what a real
 * scraper reads: parse-prometheus-text-format merges every labelled histogram into one
 * (yunyu/parse-prometheus-text-format#13, unfixed since 2020) and prom2javascript refuses a
 * `NaN` sample, which prom-client's event-loop gauges report between samples.
 */
const PYTHON = "/usr/bin/python3";
const PARSE = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
json.dump([
    {"name": f.name, "type": f.type, "help": f.documentation,
     "samples": [{"name": s.name, "labels": s.labels, "value": repr(s.value)} for s in f.samples]}
    for f in text_string_to_metric_families(sys.stdin.read())
], sys.stdout)
`;

/** Why the metrics tests cannot run here, or undefined when they can. */
export const parserMissing: string | undefined =
  spawnSync(PYTHON, ["-c", "import prometheus_client.parser"]).status === 0
    ? undefined
    : `the Prometheus text-format parser is missing (apt-get install python3-prometheus-client)`;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
interface Family {
  name: string;
  /** counter, gauge, histogram, summary or unknown */
  type: string;
  help: string;
  samples: Sample[];
}

function parseExposition(text: string): Promise<Family[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ["-c", PARSE]);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`not valid Prometheus text format:\n${stderr}`));
      const families = JSON.parse(stdout) as (Omit<Family, "samples"> & {
        samples: (Omit<Sample, "value"> & { value: string })[];
      })[];
      resolve(
        families.map((family) => ({
          ...family,
          samples: family.samples.map((sample) => ({ ...sample, value: Number(sample.value) })),
        })),
      );
    });
    child.stdin.end(text);
  });
}

/** One scrape of GET /metrics, parsed. Samples are named as exposed (`…_total`, `…_count`). */
export class Scrape {
  constructor(
    readonly text: string,
    readonly families: readonly Family[],
  ) {}

  family(name: string): Family {
    const family = this.families.find((candidate) => candidate.name === name);
    assert.ok(family, `the scrape has the family ${name}`);
    return family;
  }

  has(sampleName: string): boolean {
    return this.families.some((family) => family.samples.some((s) => s.name === sampleName));
  }

  /** The samples named `name` whose labels include every one of `labels`. */
  samples(name: string, labels: Record<string, string> = {}): Sample[] {
    return this.families.flatMap((family) =>
      family.samples.filter(
        (sample) =>
          sample.name === name &&
          Object.entries(labels).every(([label, value]) => sample.labels[label] === value),
      ),
    );
  }

  /** The sum of the matching samples; 0 when none matches (a series not yet created). */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.samples(name, labels).reduce((sum, sample) => sum + sample.value, 0);
  }

  /** The distinct values of one label across the samples named `name`. */
  labelValues(name: string, label: string): Set<string> {
    return new Set(this.samples(name).map((sample) => sample.labels[label] ?? ""));
  }
}

export async function scrape(baseUrl: string, token?: string): Promise<Scrape> {
  const response = await request(`${baseUrl}/metrics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  assert.equal(response.status, 200, response.text);
  assert.match(String(response.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
  assertNoLeak(response.text);
  return new Scrape(response.text, await parseExposition(response.text));
}
