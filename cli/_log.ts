/**
 * Diagnostics in logrus's text format, as skopeo prints them: on a terminal
 * a coloured `FATA[0000] message`, otherwise `time="…" level=fatal msg="…"`.
 *
 * @module
 */
import type { Logger } from "../core/transport.ts";
import { goQuote } from "./_go_values.ts";

const LEVEL_TAG: Readonly<Record<string, string>> = {
  debug: "DEBU",
  info: "INFO",
  warning: "WARN",
  fatal: "FATA",
};

/** logrus's ANSI colours per level on a terminal. */
const LEVEL_COLOR: Readonly<Record<string, number>> = {
  debug: 37,
  info: 36,
  warning: 33,
  fatal: 31,
};

const startedAt = Date.now();

/** Go's `time.RFC3339` in the local zone: `Z` or `±hh:mm`. */
function rfc3339(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const offset = -date.getTimezoneOffset();
  const zone = offset === 0
    ? "Z"
    : `${offset > 0 ? "+" : "-"}${pad(Math.floor(Math.abs(offset) / 60))}:${
      pad(Math.abs(offset) % 60)
    }`;
  return `${String(date.getFullYear()).padStart(4, "0")}-${
    pad(date.getMonth() + 1)
  }-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${
    pad(date.getSeconds())
  }${zone}`;
}

/**
 * Formats one log line for stderr as logrus's TextFormatter does: on a
 * terminal a coloured level, seconds since start and the message padded to
 * 44 characters; otherwise `time="…" level=… msg=…` with Go quoting.
 *
 * @param level The logrus level.
 * @param message The message.
 * @param options `terminal`: whether stderr is a TTY; `now`: the time to print.
 * @returns The line, newline included.
 */
export function formatLogLine(
  level: "debug" | "info" | "warning" | "fatal",
  message: string,
  options: { terminal: boolean; now?: Date },
): string {
  if (options.terminal) {
    const text = message.endsWith("\n") ? message.slice(0, -1) : message;
    const seconds = Math.floor(
      ((options.now ?? new Date()).getTime() - startedAt) / 1000,
    );
    // Go's %-44s pads by runes, not UTF-16 units.
    const padding = " ".repeat(Math.max(0, 44 - [...text].length));
    return `\x1b[${LEVEL_COLOR[level]}m${LEVEL_TAG[level]}\x1b[0m[${
      String(Math.max(0, seconds)).padStart(4, "0")
    }] ${text}${padding} \n`;
  }
  const time = rfc3339(options.now ?? new Date());
  // logrus quotes a value holding anything outside this set (not an empty one).
  const needsQuoting = /[^A-Za-z0-9\-._/@^+]/.test(message);
  const msg = needsQuoting ? goQuote(message) : message;
  return `time="${time}" level=${level} msg=${msg}\n`;
}

/** Where the CLI writes. */
export interface CliIo {
  /** Standard output. */
  stdout: (text: string) => void;
  /** Standard error. */
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (log format, progress bars). */
  stderrIsTerminal: boolean;
  /** Whether stdout is a terminal. */
  stdoutIsTerminal: boolean;
}

/** A logger printing `--debug` lines when enabled. */
export function createLogger(io: CliIo, debug: boolean): Logger {
  return {
    debug(message: string): void {
      if (debug) {
        io.stderr(
          formatLogLine("debug", message, { terminal: io.stderrIsTerminal }),
        );
      }
    },
    warn(message: string): void {
      io.stderr(
        formatLogLine("warning", message, { terminal: io.stderrIsTerminal }),
      );
    },
  };
}
