/**
 * Diagnostics in logrus's text format, as skopeo prints them: on a terminal
 * `FATA[0000] message`, otherwise `time="…" level=fatal msg="…"`.
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

const startedAt = Date.now();

/** Formats one log line for stderr. */
export function formatLogLine(
  level: "debug" | "info" | "warning" | "fatal",
  message: string,
  options: { terminal: boolean; now?: Date },
): string {
  if (options.terminal) {
    const seconds = Math.floor((Date.now() - startedAt) / 1000);
    return `${LEVEL_TAG[level]}[${
      String(seconds).padStart(4, "0")
    }] ${message}\n`;
  }
  const time = (options.now ?? new Date()).toISOString().replace(
    /\.\d{3}Z$/,
    "Z",
  );
  const needsQuoting = /[^A-Za-z0-9\-._/@^+]/.test(message) || message === "";
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
