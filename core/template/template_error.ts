/**
 * The error every template failure throws, with Go's exact one-line message.
 *
 * @module
 */

/** Options of {@linkcode TemplateError}. */
export interface TemplateErrorOptions extends ErrorOptions {
  /** `parse` for syntax errors, `execute` for errors while running. */
  phase: "parse" | "execute";
  /** The template's name. */
  templateName: string;
  /** 1-based line, when known. */
  line?: number;
  /** Go's column (bytes), when the message has one. */
  column?: number;
  /** Text the template wrote before failing (execution errors). */
  output?: string;
}

/**
 * A template that does not parse or fails while executing. The message is
 * Go's, e.g. `template: skopeo inspect:1: function "json" not defined` or
 * `template: t:1:2: executing "t" at <.Nope>: can't evaluate field Nope in
 * type inspect.Output`.
 */
export class TemplateError extends SyntaxError {
  /** `parse` or `execute`. */
  readonly phase: "parse" | "execute";
  /** The template's name. */
  readonly templateName: string;
  /** 1-based line, when known. */
  readonly line: number | undefined;
  /** Go's column in bytes (0-based on lines after the first), when known. */
  readonly column: number | undefined;
  /** What the template wrote before an execution error (Go writes it too). */
  readonly output: string;

  /**
   * Creates the error.
   *
   * @param message Go's full message.
   * @param options Phase, name, position and partial output.
   */
  constructor(message: string, options: TemplateErrorOptions) {
    super(message, options);
    this.name = "TemplateError";
    this.phase = options.phase;
    this.templateName = options.templateName;
    this.line = options.line;
    this.column = options.column;
    this.output = options.output ?? "";
  }
}
