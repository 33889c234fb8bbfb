/**
 * A strict reader for the common shape of sync YAML files, so that a valid
 * file is read without loading npm:yaml (its module load dominates an
 * unchanged `sync --src yaml` re-run). It understands block mappings and
 * block sequences of one-line scalars, one-line flow sequences of scalars,
 * comments and empty `{}`, and
 * answers `undefined` ("not sure") for anything else; the caller then uses
 * the full parser, which also owns every error message.
 *
 * @module
 */

/** A scalar: its string as Go decodes it (plain text as written). */
export interface QuickScalar {
  /** The text as written (plain) or the decoded value (quoted). */
  text: string;
  /** Set when a plain scalar is a YAML 1.2 core-schema boolean. */
  bool?: boolean;
}

/** A read node: null, a scalar, a sequence or a mapping (keys unique). */
export type QuickNode =
  | null
  | QuickScalar
  | QuickNode[]
  | Map<string, QuickNode>;

/** What a line's value (after `key:` or `- `) holds. */
type Value =
  | { kind: "none" }
  | { kind: "node"; node: QuickNode };

interface Line {
  indent: number;
  /** Set for `key: …` lines; absent for `- …` items. */
  key?: string;
  value: Value;
}

/** Thrown internally to abandon the fast path; never escapes. */
class NotSure extends Error {}

const NULL_RE = /^(?:~|[Nn]ull|NULL)$/;
const BOOL_RE = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
// Broader than the core schema's numbers: keys that may resolve to a number
// (where `1.0` and `1.00` collide as duplicates) are left to npm:yaml.
const NUMBERISH_KEY_RE = /^[-+]?[.0-9][0-9A-Za-z._+-]*$/;
// Characters that may not start a plain scalar here (YAML indicators).
const INDICATORS = new Set("-?:,[]{}#&*!|>'\"%@`".split(""));
const ESCAPES: Record<string, string> = {
  "\\": "\\",
  '"': '"',
  "/": "/",
  "n": "\n",
  "t": "\t",
};
// npm:yaml rejects implicit keys longer than 1024 characters.
const MAX_LINE = 1000;

/**
 * Reads `text` if it is entirely within the supported subset.
 *
 * @example
 * ```ts
 * import { readQuickYaml } from "./_quick_yaml.ts";
 * const doc = readQuickYaml("quay.io:\n  tls-verify: false\n");
 * console.assert(doc instanceof Map);
 * ```
 *
 * @param text A YAML document.
 * @returns The document (`null` when empty), or `undefined` when the text
 *   uses anything outside the subset or is not valid YAML.
 */
export function readQuickYaml(text: string): QuickNode | undefined {
  try {
    const lines = tokenize(text);
    if (lines.length === 0) return null;
    const cursor = { lines, next: 0 };
    const node = readBlock(cursor, lines[0]!.indent);
    if (cursor.next !== lines.length) return undefined;
    return node;
  } catch (error) {
    if (error instanceof NotSure) return undefined;
    throw error;
  }
}

function notSure(): never {
  throw new NotSure();
}

/** Splits the text into meaningful lines, dropping blanks and comments. */
function tokenize(text: string): Line[] {
  // Printable ASCII and newlines only: no tabs, CR, BOM or Unicode breaks.
  if (!/^[\x20-\x7e\n]*$/.test(text)) notSure();
  const lines: Line[] = [];
  for (const raw of text.split("\n")) {
    if (raw.length > MAX_LINE) notSure();
    const body = raw.trimStart();
    if (body === "" || body.startsWith("#")) continue;
    if (/^(?:---|\.\.\.|%)/.test(body)) notSure();
    const indent = raw.length - body.length;
    if (body === "-" || body.startsWith("- ")) {
      const value = readValue(body.slice(1));
      if (value.kind === "none") notSure();
      lines.push({ indent, value });
      continue;
    }
    const [key, rest] = readKey(body);
    lines.push({ indent, key, value: readValue(rest) });
  }
  return lines;
}

/** Reads `key:` at the start of `body`; returns the key and what follows. */
function readKey(body: string): [string, string] {
  const first = body[0]!;
  if (first === '"' || first === "'") {
    const [key, end] = readQuoted(body);
    if (body[end] !== ":") notSure();
    const rest = body.slice(end + 1);
    if (rest !== "" && !rest.startsWith(" ")) notSure();
    return [key, rest];
  }
  const colon = body.search(/:(?: |$)/);
  if (colon <= 0) notSure();
  const key = body.slice(0, colon).trimEnd();
  if (
    INDICATORS.has(first) || key.includes(" #") || key.startsWith("<<") ||
    NULL_RE.test(key) || BOOL_RE.test(key) || NUMBERISH_KEY_RE.test(key)
  ) {
    notSure();
  }
  return [key, body.slice(colon + 1)];
}

/** Reads the value part of a line (text after `key:` or `-`). */
function readValue(text: string): Value {
  const body = text.trimStart();
  if (body === "" || body.startsWith("#")) {
    // A comment must be separated from the indicator by a space.
    if (body !== "" && body === text) notSure();
    return { kind: "none" };
  }
  if (body === text) notSure();
  if (body.startsWith("{}")) {
    expectEnd(body, 2);
    return { kind: "node", node: new Map() };
  }
  if (body[0] === "[") {
    const [items, end] = readFlowSequence(body);
    expectEnd(body, end);
    return { kind: "node", node: items };
  }
  if (body[0] === '"' || body[0] === "'") {
    const [value, end] = readQuoted(body);
    expectEnd(body, end);
    return { kind: "node", node: { text: value } };
  }
  if (INDICATORS.has(body[0]!)) notSure();
  const comment = body.indexOf(" #");
  const plain = (comment < 0 ? body : body.slice(0, comment)).trimEnd();
  // `: ` would start a nested mapping; a trailing `:` likewise.
  if (/:(?: |$)/.test(plain)) notSure();
  return { kind: "node", node: plainNode(plain) };
}

/** A plain scalar's node: null, a typed boolean or text as written. */
function plainNode(plain: string): QuickNode {
  if (NULL_RE.test(plain)) return null;
  const node: QuickScalar = { text: plain };
  if (BOOL_RE.test(plain)) node.bool = plain[0] === "t" || plain[0] === "T";
  return node;
}

/**
 * Reads a one-line flow sequence of scalars (`[a, 'b', "c",]`); returns it
 * and the end offset. Anything a flow item may add (nested flow, `: ` pairs,
 * comments, empty items) is left to npm:yaml.
 */
function readFlowSequence(body: string): [QuickNode[], number] {
  const items: QuickNode[] = [];
  let i = skipSpaces(body, 1);
  for (;;) {
    const c = body[i];
    if (c === "]") return [items, i + 1];
    if (c === undefined || c === ",") notSure();
    if (c === '"' || c === "'") {
      const [value, end] = readQuoted(body.slice(i));
      items.push({ text: value });
      i = skipSpaces(body, i + end);
    } else {
      // Flow plain scalars stop at `,[]{}`; a `:` or `#` here may end one
      // too (`a: b` pairs, comments), so any `#` and such `:` are left out.
      const match = /^[^,[\]{}#]*/.exec(body.slice(i))![0];
      const plain = match.trimEnd();
      if (INDICATORS.has(c) || /:(?: |$)/.test(plain)) notSure();
      items.push(plainNode(plain));
      i += match.length;
    }
    // After an item: `]`, or `,` then more items or a closing `]`.
    if (body[i] === ",") i = skipSpaces(body, i + 1);
    else if (body[i] !== "]") notSure();
  }
}

function skipSpaces(body: string, from: number): number {
  let i = from;
  while (body[i] === " ") i++;
  return i;
}

/** Requires only spaces and an optional ` #comment` after `end`. */
function expectEnd(body: string, end: number): void {
  const rest = body.slice(end);
  const trimmed = rest.trimStart();
  if (trimmed === "") return;
  if (trimmed.startsWith("#") && trimmed !== rest) return;
  notSure();
}

/** Reads a one-line quoted scalar; returns its value and the end offset. */
function readQuoted(body: string): [string, number] {
  const quote = body[0]!;
  let value = "";
  let i = 1;
  for (;;) {
    const c = body[i];
    if (c === undefined) notSure();
    if (c === quote) {
      if (quote === "'" && body[i + 1] === "'") {
        value += "'";
        i += 2;
        continue;
      }
      return [value, i + 1];
    }
    if (quote === '"' && c === "\\") {
      const escaped = ESCAPES[body[i + 1] ?? ""];
      if (escaped === undefined) notSure();
      value += escaped;
      i += 2;
      continue;
    }
    value += c;
    i++;
  }
}

interface Cursor {
  lines: Line[];
  next: number;
}

/** Reads the mapping or sequence whose lines start at `indent`. */
function readBlock(cursor: Cursor, indent: number): QuickNode {
  const line = cursor.lines[cursor.next]!;
  return line.key === undefined
    ? readSequence(cursor, indent)
    : readMapping(cursor, indent);
}

function readSequence(cursor: Cursor, indent: number): QuickNode[] {
  const items: QuickNode[] = [];
  for (;;) {
    const line = cursor.lines[cursor.next];
    if (!line || line.indent < indent) return items;
    if (line.indent > indent || line.key !== undefined) {
      // A sibling key at this indent ends a sequence nested under a key.
      if (line.indent === indent) return items;
      notSure();
    }
    if (line.value.kind !== "node") notSure();
    items.push(line.value.node);
    cursor.next++;
  }
}

function readMapping(cursor: Cursor, indent: number): Map<string, QuickNode> {
  const map = new Map<string, QuickNode>();
  for (;;) {
    const line = cursor.lines[cursor.next];
    if (!line || line.indent < indent) return map;
    if (line.indent > indent || line.key === undefined) notSure();
    if (map.has(line.key)) notSure();
    cursor.next++;
    const following = cursor.lines[cursor.next];
    let value: QuickNode = null;
    if (line.value.kind === "node") {
      value = line.value.node;
      if (following && following.indent > indent) notSure();
    } else if (following && following.indent > indent) {
      value = readBlock(cursor, following.indent);
    } else if (
      following && following.indent === indent && following.key === undefined
    ) {
      // YAML allows a sequence at its parent key's indentation.
      value = readSequence(cursor, indent);
    }
    map.set(line.key, value);
  }
}
