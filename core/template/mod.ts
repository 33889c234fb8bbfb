/**
 * A Go `text/template` evaluator, as skopeo 1.9.3 (Go 1.19) runs
 * `inspect --format` templates: Go's syntax, builtins, `fmt` formatting of
 * maps, slices, structs and times, and Go's error messages.
 *
 * @example Render skopeo-style data
 * ```ts
 * import { GoStruct, parseTemplate } from "./mod.ts";
 * const data = new GoStruct("inspect.Output", [
 *   { name: "Os", value: "linux" },
 *   { name: "Labels", value: { b: "2", a: "1" }, type: "map[string]string" },
 * ]);
 * console.assert(
 *   parseTemplate("{{.Os}} {{.Labels}}").execute(data) === "linux map[a:1 b:2]",
 * );
 * ```
 *
 * @module
 */

export { parseTemplate, Template } from "./template.ts";
export type { ExecuteOptions, ParseTemplateOptions } from "./template.ts";
export type { MissingKey } from "./exec.ts";
export { TemplateError } from "./template_error.ts";
export type { TemplateErrorOptions } from "./template_error.ts";
export { GoComplex, GoStruct, GoValue } from "./values.ts";
export type {
  GoField,
  GoFunc,
  GoMethods,
  GoType,
  TemplateFunc,
} from "./values.ts";
export { GoTime } from "./go_time.ts";
export type { GoZone } from "./go_time.ts";
export { REPORT_FUNCS } from "./funcs.ts";
export { JsonMarshalError, marshalJson } from "./json.ts";
export type { MarshalJsonOptions } from "./json.ts";
export { formatReport, isJsonFormat } from "./report.ts";
export type { FormatReportOptions } from "./report.ts";
export { tabwrite } from "./tabwriter.ts";
export type { TabwriterOptions } from "./tabwriter.ts";
export { goDigest, inspectOutputValue } from "./inspect_output.ts";
export type { InspectOutputFields } from "./inspect_output.ts";
export { ociConfigValue } from "./oci_config_value.ts";
