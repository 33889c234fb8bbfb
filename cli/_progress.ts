/**
 * Renders copy events as skopeo does: plain lines when stdout is not a
 * terminal (`Copying blob sha256:…`), live per-blob bars when it is.
 *
 * @module
 */
import type { CopyEvent, CopyEventHandler } from "../core/copy/mod.ts";
import type { Digest } from "../core/types.ts";

/** A renderer: receives events, and `finish()` flushes the screen. */
export interface ProgressRenderer {
  /** Handles one event. */
  onEvent: CopyEventHandler;
  /** Draws the final state. */
  finish(): void;
}

/** Options of {@linkcode createProgressRenderer}. */
export interface ProgressOptions {
  /** Writes to stdout. */
  write: (text: string) => void;
  /** Live bars instead of plain lines. */
  terminal: boolean;
  /** `--quiet`: print nothing. */
  quiet: boolean;
  /** Terminal width for bars. */
  columns?: number;
}

/** Chooses the renderer for the options. */
export function createProgressRenderer(
  options: ProgressOptions,
): ProgressRenderer {
  if (options.quiet) return { onEvent: () => {}, finish: () => {} };
  return options.terminal ? barRenderer(options) : plainRenderer(options);
}

function staticLine(event: CopyEvent): string | undefined {
  switch (event.type) {
    case "signatures-checking":
      return "Checking if image destination supports signatures\n";
    case "signatures-reading":
      return "Getting image source signatures\n";
    case "list-started":
      return `Getting image list signatures\nCopying ${event.count} of ${event.total} images in list\n`;
    case "manifest-writing":
      return event.list
        ? "Writing manifest list to image destination\n"
        : "Writing manifest to image destination\n";
    case "signing":
      return event.format === "sigstore"
        ? "Signing manifest using a sigstore signature\n"
        : "Signing manifest using simple signing\n";
    case "signatures-storing":
      return event.list ? "Storing list signatures\n" : "Storing signatures\n";
    case "instance-started":
      return `Copying image ${event.digest} (${
        event.index + 1
      }/${event.count})\n`;
    default:
      return undefined;
  }
}

function plainRenderer(options: ProgressOptions): ProgressRenderer {
  return {
    onEvent(event) {
      const line = staticLine(event);
      if (line) options.write(line);
      else if (event.type === "blob-started") {
        options.write(
          `Copying ${
            event.kind === "config" ? "config" : "blob"
          } ${event.digest}\n`,
        );
      } else if (event.type === "blob-skipped") {
        options.write(
          `Copying ${
            event.kind === "config" ? "config" : "blob"
          } ${event.digest} skipped: already exists\n`,
        );
      }
    },
    finish() {},
  };
}

function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** The terminal's width, 80 when stdout has none. */
function terminalColumns(): number {
  try {
    return Deno.consoleSize().columns || 80;
  } catch {
    return 80;
  }
}

interface Bar {
  label: string;
  bytes: number;
  total: number;
  state: "running" | "done" | "skipped";
  startedAt: number;
}

function barRenderer(options: ProgressOptions): ProgressRenderer {
  const bars = new Map<Digest, Bar>();
  let drawnLines = 0;
  let lastDraw = 0;
  const columns = options.columns ?? terminalColumns();
  const width = Math.max(10, Math.min(columns, 120) - 70);

  const barText = (bar: Bar): string => {
    if (bar.state === "done") return `${bar.label} done`;
    if (bar.state === "skipped") return `${bar.label} skipped: already exists`;
    const ratio = bar.total > 0 ? Math.min(1, bar.bytes / bar.total) : 0;
    const filled = Math.round(ratio * width);
    const seconds = Math.max(0.001, (Date.now() - bar.startedAt) / 1000);
    return `${bar.label} [${"=".repeat(filled)}${filled < width ? ">" : ""}${
      " ".repeat(Math.max(0, width - filled - 1))
    }] ${formatBytes(bar.bytes)} / ${formatBytes(bar.total)} | ${
      formatBytes(bar.bytes / seconds)
    }/s`;
  };
  const draw = (force: boolean): void => {
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    let out = drawnLines > 0 ? `\x1b[${drawnLines}A` : "";
    // A line wider than the terminal wraps and the cursor-up count breaks.
    for (const bar of bars.values()) {
      out += `\x1b[2K${barText(bar).slice(0, columns - 1)}\n`;
    }
    drawnLines = bars.size;
    options.write(out);
  };
  const flushBars = (): void => {
    draw(true);
    bars.clear();
    drawnLines = 0;
  };

  return {
    onEvent(event) {
      const line = staticLine(event);
      if (line) {
        flushBars();
        options.write(line);
        return;
      }
      switch (event.type) {
        case "blob-started":
        case "blob-skipped":
          bars.set(event.digest, {
            label: `Copying ${event.kind === "config" ? "config" : "blob"} ${
              event.digest.slice(
                event.digest.indexOf(":") + 1,
                event.digest.indexOf(":") + 13,
              )
            }`,
            bytes: 0,
            total: event.size,
            state: event.type === "blob-skipped" ? "skipped" : "running",
            startedAt: Date.now(),
          });
          draw(true);
          break;
        case "blob-progress": {
          const bar = bars.get(event.digest);
          if (bar) bar.bytes = event.bytes;
          draw(false);
          break;
        }
        case "blob-finished": {
          const bar = bars.get(event.digest);
          if (bar) {
            bar.bytes = event.bytes;
            bar.state = "done";
          }
          draw(true);
          break;
        }
      }
    },
    finish() {
      flushBars();
    },
  };
}
