/**
 * `--format` as skopeo 1.9.3 renders it (its `writeOutput` with the
 * containers/common `report` package it vendors, measured against the real
 * binary):
 *
 * - `""`, `json` or `{{json .}}` (spaces allowed) print the data as
 *   `json.MarshalIndent(data, "", "    ")` and a newline;
 * - otherwise the literal escapes `\t` and `\n` become a tab and a newline,
 *   a final newline is added when missing, and the text runs once inside
 *   `{{range .}}…{{end}}` over a one-element list holding the data (so
 *   `{{range .}}` in a user template fails and `{{define}}` is not allowed);
 * - a `table ` prefix is dropped and every space becomes a tab;
 * - no function besides Go's builtins is defined (`{{json .Labels}}` fails
 *   with `function "json" not defined`);
 * - output goes through a `text/tabwriter` (minimum cell width 8, padding 2)
 *   that is never flushed: tab-separated lines are aligned, and lines of a
 *   column block still open at the end are lost.
 *
 * @module
 */

import { marshalJson } from "./json.ts";
import { tabwrite } from "./tabwriter.ts";
import { parseTemplate } from "./template.ts";
import { TemplateError } from "./template_error.ts";
import { GoValue, type TemplateFunc } from "./values.ts";

/** Options of {@linkcode formatReport}. */
export interface FormatReportOptions {
  /** The template's name in error messages; `skopeo inspect` by default. */
  name?: string;
  /**
   * Extra functions. skopeo 1.9.3 registers none; pass
   * {@linkcode REPORT_FUNCS} for podman's `json`, `join`, `upper`….
   */
  funcs?: Readonly<Record<string, TemplateFunc>>;
  /**
   * Flush the column aligner at the end. skopeo 1.9.3 never does, so its
   * last group of tab-separated lines is lost (`{{.Os}}\t{{.Architecture}}`
   * prints nothing); `false` (the default) reproduces that.
   */
  flush?: boolean;
}

// Go's RE2 \s is [\t\n\f\r ].
const JSON_FORMAT =
  /^[\t\n\f\r ]*(json|\{\{[\t\n\f\r ]*json[\t\n\f\r ]*(\.)?[\t\n\f\r ]*\}\})[\t\n\f\r ]*$/;

// skopeo 1.9.3 reports columns 12 bytes past the user's text on line 1: its
// wrapper is 12 bytes long. This one is equivalent to `{{range .}}`.
const RANGE_PREFIX = "{{range . }}";
const RANGE_SUFFIX = "{{end -}}";

/**
 * Whether skopeo prints JSON for this `--format` (report.IsJSON).
 *
 * @param format The `--format` value.
 */
export function isJsonFormat(format: string): boolean {
  return JSON_FORMAT.test(format);
}

function replaceAll(
  text: string,
  pairs: ReadonlyArray<readonly [string, string]>,
): string {
  // strings.NewReplacer: left to right, first matching pair (argument order) wins.
  let out = "";
  let i = 0;
  outer: while (i < text.length) {
    for (const [from, to] of pairs) {
      if (text.startsWith(from, i)) {
        out += to;
        i += from.length;
        continue outer;
      }
    }
    out += text[i];
    i++;
  }
  return out;
}

/** The template text skopeo parses for a user's `--format` (report.NormalizeFormat). */
export function normalizeFormat(format: string): string {
  let f = format.startsWith("table ")
    ? replaceAll(format, [["table ", ""], ["\\t", "\t"], [" ", "\t"], [
      "\\n",
      "\n",
    ]])
    : replaceAll(format, [["\\t", "\t"], ["\\n", "\n"]]);
  if (!f.endsWith("\n")) f += "\n";
  return f;
}

/**
 * Renders data with a `--format` value exactly as skopeo 1.9.3 prints it.
 *
 * @example The documented example
 * ```ts
 * import { formatReport, GoStruct } from "./mod.ts";
 * const data = new GoStruct("inspect.Output", [
 *   { name: "Name", value: "docker.io/library/busybox" },
 *   { name: "Digest", value: "sha256:" + "0".repeat(64) },
 * ]);
 * const out = formatReport("Name: {{.Name}} Digest: {{.Digest}}", data);
 * console.assert(out === `Name: docker.io/library/busybox Digest: sha256:${"0".repeat(64)}\n`);
 * ```
 *
 * @param format The `--format` value.
 * @param data The data skopeo formats (e.g. its `inspect.Output` as a `GoStruct`).
 * @param options Template name and extra functions.
 * @returns What skopeo writes to stdout.
 * @throws {TemplateError} With Go's message when the template does not parse
 * or fails; its `output` holds what skopeo wrote to stdout before failing.
 */
export function formatReport(
  format: string,
  data: unknown,
  options: FormatReportOptions = {},
): string {
  if (format === "" || isJsonFormat(format)) {
    return marshalJson(data, { indent: "    " }) + "\n";
  }
  const text = RANGE_PREFIX + normalizeFormat(format) + RANGE_SUFFIX;
  const template = parseTemplate(text, {
    name: options.name ?? "skopeo inspect",
    ...(options.funcs ? { funcs: options.funcs } : {}),
  });
  const tab = (s: string): string =>
    tabwrite(s, {
      minWidth: 8,
      tabWidth: 8,
      padding: 2,
      padChar: " ",
      flush: options.flush ?? false,
    });
  let out: string;
  try {
    out = template.execute(new GoValue([data], "[]interface {}"));
  } catch (e) {
    if (e instanceof TemplateError) {
      throw new TemplateError(e.message, {
        phase: e.phase,
        templateName: e.templateName,
        ...(e.line !== undefined ? { line: e.line } : {}),
        ...(e.column !== undefined ? { column: e.column } : {}),
        output: tab(e.output),
        cause: e,
      });
    }
    throw e;
  }
  return tab(out);
}
