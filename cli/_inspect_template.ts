/**
 * `inspect --format TEMPLATE`: Go text/template output as skopeo prints it,
 * with two improvements its users want: the containers/common report
 * functions (`json`, `join`, `upper`…, as newer skopeo has) and aligned
 * tab-separated output that is flushed (skopeo 1.9.3 loses it).
 *
 * @module
 */
import type { InspectInfo } from "../core/image/inspect.ts";
import {
  formatReport,
  inspectOutputValue,
  ociConfigValue,
  REPORT_FUNCS,
  TemplateError,
} from "../core/template/mod.ts";

/** Output written before a template failed, and the failure. */
export class PartialOutputError extends Error {
  /** What the template printed before failing (skopeo prints it too). */
  readonly output: string;
  /**
   * @param message The error's message.
   * @param output What was printed before the failure.
   * @param options Standard error options.
   */
  constructor(message: string, output: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PartialOutputError";
    this.output = output;
  }
}

function render(format: string, data: unknown, prefix: string): string {
  try {
    return formatReport(format, data, { funcs: REPORT_FUNCS, flush: true });
  } catch (error) {
    if (error instanceof TemplateError) {
      throw new PartialOutputError(prefix + error.message, error.output, {
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * Renders the inspect data through a Go template.
 *
 * @throws {PartialOutputError} When the template fails.
 */
export function renderInspectTemplate(
  format: string,
  info: InspectInfo,
): string {
  return render(format, inspectOutputValue(info), "");
}

/**
 * Renders the OCI config through a Go template (`--config --format`).
 *
 * @throws {PartialOutputError} When the template fails.
 */
export function renderConfigTemplate(
  format: string,
  ociConfig: Record<string, unknown>,
): string {
  return render(
    format,
    ociConfigValue(ociConfig),
    "Error writing OCI-formatted configuration data to standard output: ",
  );
}
