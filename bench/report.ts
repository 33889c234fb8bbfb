/**
 * Summaries of timed runs and the bench's markdown table.
 *
 * @module
 */

/** Median, min and max of a set of timings, in milliseconds. */
export interface Stats {
  /** Middle value (mean of the two middle ones for an even count). */
  median: number;
  /** Fastest run. */
  min: number;
  /** Slowest run. */
  max: number;
  /** Every timed run, in order. */
  samples: number[];
}

/**
 * Summarises timings.
 *
 * @param samples At least one timing.
 * @returns Median, min, max and the samples.
 * @throws {RangeError} When `samples` is empty.
 */
export function summarize(samples: readonly number[]): Stats {
  if (samples.length === 0) throw new RangeError("No samples to summarize");
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1
    ? sorted[mid]!
    : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return {
    median,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    samples: [...samples],
  };
}

/** One tool's measurements in one scenario. */
export interface ToolStats {
  /** Wall time, ms. */
  wall: Stats;
  /** User + system CPU time, ms (GNU time; 10 ms resolution). */
  cpu?: Stats;
  /** Peak resident memory, MB. */
  rssMb?: Stats;
}

/** One row of the result. */
export interface ScenarioResult {
  /** Scenario id. */
  id: string;
  /** Scenario label. */
  title: string;
  /** skopeo's measurements; absent when no run completed. */
  skopeo?: ToolStats;
  /** Our measurements; absent when no run completed. */
  ours?: ToolStats;
  /** ours median wall time / skopeo's; below 1 means we are faster. */
  ratio?: number;
  /** What both tools agreed on (e.g. the manifest digest). */
  outcome?: string;
  /** Why the row is not trustworthy, when it is not. */
  failure?: string;
}

function ms(value: number): string {
  return value.toFixed(value < 100 ? 1 : 0);
}

function cell(stats: Stats | undefined): string {
  if (!stats) return "—";
  return `${ms(stats.median)} (${ms(stats.min)}–${ms(stats.max)})`;
}

function median(stats: Stats | undefined, digits = 0): string {
  return stats ? stats.median.toFixed(digits) : "—";
}

/**
 * Renders results as markdown: the wall-time table (medians with min–max,
 * and the ratio), then CPU time and peak memory when measured.
 *
 * @param results The rows.
 * @returns The tables, with a trailing newline.
 */
export function markdownTable(results: readonly ScenarioResult[]): string {
  const lines = [
    "| scenario | runs | skopeo ms | ours ms | ours/skopeo | check |",
    "|---|---:|---:|---:|---:|---|",
  ];
  for (const r of results) {
    const runs = Math.min(
      r.skopeo?.wall.samples.length ?? 0,
      r.ours?.wall.samples.length ?? 0,
    );
    const ratio = r.ratio === undefined ? "—" : r.ratio.toFixed(2);
    const check = r.failure ? `FAILED: ${r.failure}` : "same result";
    lines.push(
      `| ${r.title} | ${runs} | ${cell(r.skopeo?.wall)} | ${
        cell(r.ours?.wall)
      } | ${ratio} | ${check.replaceAll("|", "\\|")} |`,
    );
  }
  if (results.some((r) => r.skopeo?.cpu || r.ours?.cpu)) {
    lines.push(
      "",
      "CPU = user + system time of the process tree (GNU time, 10 ms resolution; more robust than wall time on a loaded machine); RSS = peak resident memory.",
      "",
      "| scenario | skopeo CPU ms | ours CPU ms | ours/skopeo CPU | skopeo max RSS MB | ours max RSS MB |",
      "|---|---:|---:|---:|---:|---:|",
    );
    for (const r of results) {
      const a = r.skopeo?.cpu?.median;
      const b = r.ours?.cpu?.median;
      const ratio = a && b !== undefined ? (b / a).toFixed(2) : "—";
      lines.push(
        `| ${r.title} | ${median(r.skopeo?.cpu)} | ${
          median(r.ours?.cpu)
        } | ${ratio} | ${median(r.skopeo?.rssMb, 1)} | ${
          median(r.ours?.rssMb, 1)
        } |`,
      );
    }
  }
  return lines.join("\n") + "\n";
}
