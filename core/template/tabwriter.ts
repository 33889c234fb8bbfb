/**
 * Go's `text/tabwriter`: aligns tab-separated cells into columns. Output is
 * released only when Go's writer releases it (after a line of a single
 * cell, or on `Flush`), which matters because skopeo 1.9.3 never flushes.
 *
 * @module
 */

/** Options of {@linkcode tabwrite}, as `tabwriter.NewWriter` takes them. */
export interface TabwriterOptions {
  /** Minimal cell width, padding included. */
  minWidth: number;
  /** Width of a tab, when padding with tabs. */
  tabWidth: number;
  /** Padding added to a cell's text width. */
  padding: number;
  /** The padding character; `\t` pads with tabs. */
  padChar: string;
  /** Right-align cells (`tabwriter.AlignRight`). */
  alignRight?: boolean;
  /** Drop columns whose cells are all empty (`tabwriter.DiscardEmptyColumns`). */
  discardEmptyColumns?: boolean;
  /**
   * Call `Flush` at the end (default true). Without it, lines of the last
   * column block (and a last line without newline) stay buffered and are
   * not written.
   */
  flush?: boolean;
}

interface Cell {
  text: string;
  width: number;
  htab: boolean;
}

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

class Writer {
  readonly #o: TabwriterOptions;
  #lines: Cell[][] = [[]];
  #cell: Cell = { text: "", width: 0, htab: false };
  #widths: number[] = [];
  out = "";

  constructor(options: TabwriterOptions) {
    this.#o = options;
  }

  #terminateCell(htab: boolean): number {
    this.#cell.htab = htab;
    const line = this.#lines[this.#lines.length - 1]!;
    line.push(this.#cell);
    this.#cell = { text: "", width: 0, htab: false };
    return line.length;
  }

  write(text: string): void {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (ch !== "\t" && ch !== "\v" && ch !== "\n" && ch !== "\f") continue;
      this.#append(text.slice(start, i));
      start = i + 1;
      const ncells = this.#terminateCell(ch === "\t");
      if (ch === "\n" || ch === "\f") {
        this.#lines.push([]);
        if (ch === "\f" || ncells === 1) this.flush();
      }
    }
    this.#append(text.slice(start));
  }

  #append(s: string): void {
    this.#cell.text += s;
    this.#cell.width += runeCount(s);
  }

  flush(): void {
    if (this.#cell.text.length > 0) this.#terminateCell(false);
    this.#format(0, this.#lines.length);
    this.#lines = [[]];
    this.#cell = { text: "", width: 0, htab: false };
    this.#widths = [];
  }

  #writePadding(textw: number, cellw: number, useTabs: boolean): void {
    const o = this.#o;
    if (o.padChar === "\t" || useTabs) {
      if (o.tabWidth === 0) return;
      cellw = Math.ceil(cellw / o.tabWidth) * o.tabWidth;
      const n = cellw - textw;
      this.out += "\t".repeat(Math.ceil(n / o.tabWidth));
      return;
    }
    this.out += o.padChar.repeat(Math.max(cellw - textw, 0));
  }

  #writeLines(line0: number, line1: number): void {
    for (let i = line0; i < line1; i++) {
      const line = this.#lines[i]!;
      let useTabs = false;
      line.forEach((c, j) => {
        if (c.text.length === 0) {
          if (j < this.#widths.length) {
            this.#writePadding(c.width, this.#widths[j]!, useTabs);
          }
          return;
        }
        useTabs = false;
        if (!this.#o.alignRight) {
          this.out += c.text;
          if (j < this.#widths.length) {
            this.#writePadding(c.width, this.#widths[j]!, false);
          }
        } else {
          if (j < this.#widths.length) {
            this.#writePadding(c.width, this.#widths[j]!, false);
          }
          this.out += c.text;
        }
      });
      if (i + 1 === this.#lines.length) this.out += this.#cell.text;
      else this.out += "\n";
    }
  }

  #format(line0: number, line1: number): void {
    const column = this.#widths.length;
    for (let t = line0; t < line1; t++) {
      if (column >= this.#lines[t]!.length - 1) continue;
      this.#writeLines(line0, t);
      line0 = t;
      let width = this.#o.minWidth;
      let discardable = true;
      for (; t < line1; t++) {
        const line = this.#lines[t]!;
        if (column >= line.length - 1) break;
        const c = line[column]!;
        const w = c.width + this.#o.padding;
        if (w > width) width = w;
        if (c.width > 0 || c.htab) discardable = false;
      }
      if (discardable && this.#o.discardEmptyColumns) width = 0;
      this.#widths.push(width);
      this.#format(line0, t);
      this.#widths.pop();
      line0 = t;
      t--; // the outer loop's increment re-examines line `t`
    }
    this.#writeLines(line0, line1);
  }
}

/**
 * Writes text through a Go `tabwriter.Writer` and returns what it outputs.
 *
 * @example Align two columns
 * ```ts
 * import { tabwrite } from "./tabwriter.ts";
 * const out = tabwrite("a\tb\nccc\td\n", { minWidth: 0, tabWidth: 8, padding: 1, padChar: " " });
 * console.assert(out === "a   b\nccc d\n");
 * ```
 *
 * @param text The text, cells separated by tabs.
 * @param options The writer's settings.
 * @returns The aligned text (what was released, when `flush` is false).
 */
export function tabwrite(text: string, options: TabwriterOptions): string {
  const w = new Writer(options);
  w.write(text);
  if (options.flush ?? true) w.flush();
  return w.out;
}
