/**
 * A parsed Go template, ready to run on data.
 *
 * @module
 */

import { executeTree, type MissingKey } from "./exec.ts";
import { BUILTINS } from "./funcs.ts";
import type { ListNode } from "./nodes.ts";
import { parseTrees } from "./parser.ts";
import type { TemplateFunc } from "./values.ts";

/** Options of {@linkcode parseTemplate}. */
export interface ParseTemplateOptions {
  /** The template's name, used in error messages; `template` by default. */
  name?: string;
  /** Functions callable from the template, by name (they override builtins). */
  funcs?: Readonly<Record<string, TemplateFunc>>;
  /**
   * What a missing map key gives, as Go's `missingkey` option: `invalid`
   * (default, printed `<no value>`), `zero` (the element type's zero value)
   * or `error`.
   */
  missingKey?: MissingKey | "default";
}

/** Options of {@linkcode Template.execute}. */
export interface ExecuteOptions {
  /** Run this associated template (from `define`/`block`) instead of the main one. */
  template?: string;
}

/**
 * A parsed template: the main tree and those its `define` and `block`
 * actions declared.
 */
export class Template {
  /** The template's name. */
  readonly name: string;
  readonly #trees: ReadonlyMap<string, ListNode>;
  readonly #funcs: ReadonlyMap<string, TemplateFunc>;
  readonly #missingKey: MissingKey;

  /**
   * Use {@linkcode parseTemplate}.
   *
   * @param name The template's name.
   * @param parts Its trees by name, custom functions and `missingkey` option.
   */
  constructor(
    name: string,
    parts: {
      trees: ReadonlyMap<string, ListNode>;
      funcs: ReadonlyMap<string, TemplateFunc>;
      missingKey: MissingKey;
    },
  ) {
    this.name = name;
    this.#trees = parts.trees;
    this.#funcs = parts.funcs;
    this.#missingKey = parts.missingKey;
  }

  /** Names of all templates in the set (the main one and defined ones), sorted. */
  templates(): string[] {
    return [...this.#trees.keys()].sort();
  }

  /**
   * Runs the template on data, as Go's `Template.Execute` does.
   *
   * @example Render fields and a range
   * ```ts
   * import { parseTemplate } from "./mod.ts";
   * const t = parseTemplate("{{.Os}}/{{range .Tags}}{{.}} {{end}}");
   * console.assert(t.execute({ Os: "linux", Tags: ["a", "b"] }) === "linux/a b ");
   * ```
   *
   * @param data The data: plain JS values, {@linkcode GoStruct},
   * {@linkcode GoValue}, {@linkcode GoTime}.
   * @param options Which associated template to run.
   * @returns The output.
   * @throws {TemplateError} With Go's message; its `output` holds the text
   * written before the error.
   */
  execute(data: unknown, options: ExecuteOptions = {}): string {
    return executeTree(
      { trees: this.#trees, funcs: this.#funcs, missingKey: this.#missingKey },
      data,
      { name: options.template ?? this.name },
    );
  }
}

/**
 * Parses a Go `text/template`.
 *
 * @example A syntax error carries Go's message
 * ```ts
 * import { parseTemplate, TemplateError } from "./mod.ts";
 * try {
 *   parseTemplate("{{.Os}", { name: "t" });
 * } catch (e) {
 *   console.assert(e instanceof TemplateError);
 *   console.assert((e as Error).message === "template: t:1: bad character U+007D '}'");
 * }
 * ```
 *
 * @param text The template text.
 * @param options Name, functions and the `missingkey` option.
 * @returns The parsed template.
 * @throws {TemplateError} When the text does not parse.
 */
export function parseTemplate(
  text: string,
  options: ParseTemplateOptions = {},
): Template {
  const name = options.name ?? "template";
  const funcs = new Map(Object.entries(options.funcs ?? {}));
  const trees = parseTrees(text, name, {
    hasFunction: (f) => funcs.has(f) || BUILTINS.has(f),
  });
  const missingKey =
    options.missingKey === undefined || options.missingKey === "default"
      ? "invalid"
      : options.missingKey;
  return new Template(name, { trees, funcs, missingKey });
}
