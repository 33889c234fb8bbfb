/**
 * The lexer of Go's `text/template` (Go 1.19): text, `{{ }}` actions with
 * `{{-`/`-}}` trim markers, comments, and the tokens inside actions.
 * Positions are UTF-16 offsets into the template text; error messages
 * convert them to Go's byte columns.
 *
 * @module
 */

import { quote } from "./strconv.ts";

/** Token kinds. Keywords sort after `Keyword`, as in Go. */
export enum ItemType {
  Error,
  Bool,
  Char,
  CharConstant,
  Comment,
  Complex,
  Assign,
  Declare,
  EOF,
  Field,
  Identifier,
  LeftDelim,
  LeftParen,
  Number,
  Pipe,
  RawString,
  RightDelim,
  RightParen,
  Space,
  String,
  Text,
  Variable,
  Keyword,
  Block,
  Break,
  Continue,
  Dot,
  Define,
  Else,
  End,
  If,
  Nil,
  Range,
  Template,
  With,
}

/** A token. */
export interface Item {
  /** Its kind. */
  readonly type: ItemType;
  /** Offset of its first character in the template text. */
  readonly pos: number;
  /** Its text (for errors, the message). */
  readonly val: string;
  /** 1-based line of its first character. */
  readonly line: number;
}

const KEYWORDS: ReadonlyMap<string, ItemType> = new Map([
  [".", ItemType.Dot],
  ["block", ItemType.Block],
  ["break", ItemType.Break],
  ["continue", ItemType.Continue],
  ["define", ItemType.Define],
  ["else", ItemType.Else],
  ["end", ItemType.End],
  ["if", ItemType.If],
  ["range", ItemType.Range],
  ["nil", ItemType.Nil],
  ["template", ItemType.Template],
  ["with", ItemType.With],
]);

const LEFT_DELIM = "{{";
const RIGHT_DELIM = "}}";
const LEFT_COMMENT = "/*";
const RIGHT_COMMENT = "*/";
const EOF = -1;
const TRIM_MARKER_LEN = 2;

const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;

function isSpace(r: number): boolean {
  return r === 0x20 || r === 0x09 || r === 0x0d || r === 0x0a;
}

/** Go's `isAlphaNumeric`: `_`, letters and decimal digits. */
export function isAlphaNumeric(r: number): boolean {
  if (r === 0x5f) return true;
  if (r < 0) return false;
  if (r < 0x80) {
    return (r >= 0x30 && r <= 0x39) || (r >= 0x41 && r <= 0x5a) ||
      (r >= 0x61 && r <= 0x7a);
  }
  const s = String.fromCodePoint(r);
  return LETTER.test(s) || DIGIT.test(s);
}

function isAsciiPrint(r: number): boolean {
  return r >= 0x20 && r < 0x7f;
}

/** Go's `%#U` of a rune: `U+007D '}'`. */
export function formatRune(r: number): string {
  const hex = "U+" + r.toString(16).toUpperCase().padStart(4, "0");
  const printable = r >= 0x20 && r !== 0x7f &&
    (r < 0x80 ||
      /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(String.fromCodePoint(r)));
  return printable ? `${hex} '${String.fromCodePoint(r)}'` : hex;
}

function rightTrimLength(s: string): number {
  return s.length - s.replace(/[ \t\r\n]+$/, "").length;
}

function leftTrimLength(s: string): number {
  return s.length - s.replace(/^[ \t\r\n]+/, "").length;
}

function hasLeftTrimMarker(s: string): boolean {
  return s.length >= 2 && s[0] === "-" && isSpace(s.charCodeAt(1));
}

function hasRightTrimMarker(s: string): boolean {
  return s.length >= 2 && isSpace(s.charCodeAt(0)) && s[1] === "-";
}

type StateFn = ((l: Lexer) => StateFn) | null;

/**
 * Splits template text into tokens, one at a time, as Go's lexer does
 * (it stops after the first error item).
 */
export class Lexer {
  readonly input: string;
  #pos = 0;
  #start = 0;
  #width = 0;
  #parenDepth = 0;
  #state: StateFn = lexText;
  #items: Item[] = [];
  #lineStarts: number[] = [];

  /** @param input The template text. */
  constructor(input: string) {
    this.input = input;
    for (let i = 0; i < input.length; i++) {
      if (input.charCodeAt(i) === 0x0a) this.#lineStarts.push(i);
    }
  }

  /** The 1-based line of an offset. */
  lineOf(pos: number): number {
    let lo = 0, hi = this.#lineStarts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#lineStarts[mid]! < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  }

  /** The next token; EOF forever after the end or an error. */
  nextItem(): Item {
    while (this.#items.length === 0) {
      if (this.#state === null) {
        return {
          type: ItemType.EOF,
          pos: this.#pos,
          val: "",
          line: this.lineOf(this.#pos),
        };
      }
      this.#state = this.#state(this);
    }
    return this.#items.shift()!;
  }

  // ---- primitives (used by the state functions below)

  get pos(): number {
    return this.#pos;
  }
  set pos(p: number) {
    this.#pos = p;
  }
  get start(): number {
    return this.#start;
  }
  get parenDepth(): number {
    return this.#parenDepth;
  }
  set parenDepth(n: number) {
    this.#parenDepth = n;
  }

  next(): number {
    if (this.#pos >= this.input.length) {
      this.#width = 0;
      return EOF;
    }
    const r = this.input.codePointAt(this.#pos)!;
    this.#width = r > 0xffff ? 2 : 1;
    this.#pos += this.#width;
    return r;
  }

  peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }

  backup(): void {
    this.#pos -= this.#width;
  }

  emit(type: ItemType): void {
    this.#items.push({
      type,
      pos: this.#start,
      val: this.input.slice(this.#start, this.#pos),
      line: this.lineOf(this.#start),
    });
    this.#start = this.#pos;
  }

  emitText(type: ItemType, from: number, to: number): void {
    this.#items.push({
      type,
      pos: from,
      val: this.input.slice(from, to),
      line: this.lineOf(from),
    });
  }

  ignore(): void {
    this.#start = this.#pos;
  }

  accept(valid: string): boolean {
    const r = this.next();
    if (r !== EOF && valid.includes(String.fromCodePoint(r))) return true;
    this.backup();
    return false;
  }

  acceptRun(valid: string): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || !valid.includes(String.fromCodePoint(r))) break;
    }
    this.backup();
  }

  errorf(message: string): StateFn {
    this.#items.push({
      type: ItemType.Error,
      pos: this.#start,
      val: message,
      line: this.lineOf(this.#start),
    });
    return null;
  }

  atRightDelim(): { delim: boolean; trimSpaces: boolean } {
    const rest = this.input.slice(this.#pos);
    if (
      hasRightTrimMarker(rest) && rest.startsWith(RIGHT_DELIM, TRIM_MARKER_LEN)
    ) {
      return { delim: true, trimSpaces: true };
    }
    if (rest.startsWith(RIGHT_DELIM)) return { delim: true, trimSpaces: false };
    return { delim: false, trimSpaces: false };
  }

  atTerminator(): boolean {
    const r = this.peek();
    if (isSpace(r)) return true;
    switch (r) {
      case EOF:
      case 0x2e: // .
      case 0x2c: // ,
      case 0x7c: // |
      case 0x3a: // :
      case 0x29: // )
      case 0x28: // (
        return true;
    }
    // Go 1.19 checks for the whole right delimiter, not just its first rune.
    return this.input.startsWith(RIGHT_DELIM, this.#pos);
  }

  scanNumber(): boolean {
    this.accept("+-");
    let digits = "0123456789_";
    if (this.accept("0")) {
      if (this.accept("xX")) digits = "0123456789abcdefABCDEF_";
      else if (this.accept("oO")) digits = "01234567_";
      else if (this.accept("bB")) digits = "01_";
    }
    this.acceptRun(digits);
    if (this.accept(".")) this.acceptRun(digits);
    if (digits.length === 11 && this.accept("eE")) {
      this.accept("+-");
      this.acceptRun("0123456789_");
    }
    if (digits.length === 23 && this.accept("pP")) {
      this.accept("+-");
      this.acceptRun("0123456789_");
    }
    this.accept("i");
    if (isAlphaNumeric(this.peek())) {
      this.next();
      return false;
    }
    return true;
  }
}

function lexText(l: Lexer): StateFn {
  const x = l.input.indexOf(LEFT_DELIM, l.pos);
  if (x >= 0) {
    if (x > l.pos) {
      l.pos = x;
      let trimLength = 0;
      if (hasLeftTrimMarker(l.input.slice(x + LEFT_DELIM.length))) {
        trimLength = rightTrimLength(l.input.slice(l.start, x));
      }
      l.pos -= trimLength;
      if (l.pos > l.start) l.emitText(ItemType.Text, l.start, l.pos);
      l.pos += trimLength;
      l.ignore();
    }
    return lexLeftDelim;
  }
  l.pos = l.input.length;
  if (l.pos > l.start) l.emitText(ItemType.Text, l.start, l.pos);
  l.ignore();
  l.emit(ItemType.EOF);
  return null;
}

function lexLeftDelim(l: Lexer): StateFn {
  l.pos += LEFT_DELIM.length;
  const trimSpace = hasLeftTrimMarker(l.input.slice(l.pos));
  const afterMarker = trimSpace ? TRIM_MARKER_LEN : 0;
  if (l.input.startsWith(LEFT_COMMENT, l.pos + afterMarker)) {
    l.pos += afterMarker;
    l.ignore();
    return lexComment;
  }
  l.emit(ItemType.LeftDelim);
  l.pos += afterMarker;
  l.ignore();
  l.parenDepth = 0;
  return lexInsideAction;
}

function lexComment(l: Lexer): StateFn {
  l.pos += LEFT_COMMENT.length;
  const x = l.input.indexOf(RIGHT_COMMENT, l.pos);
  if (x < 0) return l.errorf("unclosed comment");
  l.pos = x + RIGHT_COMMENT.length;
  const { delim, trimSpaces } = l.atRightDelim();
  if (!delim) return l.errorf("comment ends before closing delimiter");
  if (trimSpaces) l.pos += TRIM_MARKER_LEN;
  l.pos += RIGHT_DELIM.length;
  if (trimSpaces) l.pos += leftTrimLength(l.input.slice(l.pos));
  l.ignore();
  return lexText;
}

function lexRightDelim(l: Lexer): StateFn {
  const trimSpace = hasRightTrimMarker(l.input.slice(l.pos));
  if (trimSpace) {
    l.pos += TRIM_MARKER_LEN;
    l.ignore();
  }
  l.pos += RIGHT_DELIM.length;
  l.emit(ItemType.RightDelim);
  if (trimSpace) {
    l.pos += leftTrimLength(l.input.slice(l.pos));
    l.ignore();
  }
  return lexText;
}

function lexInsideAction(l: Lexer): StateFn {
  const { delim } = l.atRightDelim();
  if (delim) {
    if (l.parenDepth === 0) return lexRightDelim;
    return l.errorf("unclosed left paren");
  }
  const r = l.next();
  if (r === EOF) return l.errorf("unclosed action");
  if (isSpace(r)) {
    l.backup();
    return lexSpace;
  }
  switch (r) {
    case 0x3d: // =
      l.emit(ItemType.Assign);
      return lexInsideAction;
    case 0x3a: // :
      if (l.next() !== 0x3d) return l.errorf("expected :=");
      l.emit(ItemType.Declare);
      return lexInsideAction;
    case 0x7c: // |
      l.emit(ItemType.Pipe);
      return lexInsideAction;
    case 0x22: // "
      return lexQuote;
    case 0x60: // `
      return lexRawQuote;
    case 0x24: // $
      return lexVariable;
    case 0x27: // '
      return lexChar;
    case 0x28: // (
      l.emit(ItemType.LeftParen);
      l.parenDepth++;
      return lexInsideAction;
    case 0x29: // )
      l.emit(ItemType.RightParen);
      l.parenDepth--;
      if (l.parenDepth < 0) {
        return l.errorf(`unexpected right paren ${formatRune(r)}`);
      }
      return lexInsideAction;
  }
  if (r === 0x2e) {
    // ".field", or "." starting a number
    if (l.pos < l.input.length) {
      const c = l.input.charCodeAt(l.pos);
      if (c < 0x30 || c > 0x39) return lexField;
    }
    l.backup();
    return lexNumber;
  }
  if (r === 0x2b || r === 0x2d || (r >= 0x30 && r <= 0x39)) {
    l.backup();
    return lexNumber;
  }
  if (isAlphaNumeric(r)) {
    l.backup();
    return lexIdentifier;
  }
  if (isAsciiPrint(r)) {
    l.emit(ItemType.Char);
    return lexInsideAction;
  }
  return l.errorf(`unrecognized character in action: ${formatRune(r)}`);
}

function lexSpace(l: Lexer): StateFn {
  let numSpaces = 0;
  while (isSpace(l.peek())) {
    l.next();
    numSpaces++;
  }
  const before = l.input.slice(l.pos - 1);
  if (
    hasRightTrimMarker(before) &&
    before.startsWith(RIGHT_DELIM, TRIM_MARKER_LEN)
  ) {
    l.pos -= 1; // back before the space
    if (numSpaces === 1) return lexRightDelim;
  }
  l.emit(ItemType.Space);
  return lexInsideAction;
}

function lexIdentifier(l: Lexer): StateFn {
  for (;;) {
    const r = l.next();
    if (isAlphaNumeric(r)) continue;
    l.backup();
    const word = l.input.slice(l.start, l.pos);
    if (!l.atTerminator()) return l.errorf(`bad character ${formatRune(r)}`);
    const key = KEYWORDS.get(word);
    if (key !== undefined && key > ItemType.Keyword) l.emit(key);
    else if (word[0] === ".") l.emit(ItemType.Field);
    else if (word === "true" || word === "false") l.emit(ItemType.Bool);
    else l.emit(ItemType.Identifier);
    return lexInsideAction;
  }
}

function lexField(l: Lexer): StateFn {
  return lexFieldOrVariable(l, ItemType.Field);
}

function lexVariable(l: Lexer): StateFn {
  if (l.atTerminator()) {
    l.emit(ItemType.Variable);
    return lexInsideAction;
  }
  return lexFieldOrVariable(l, ItemType.Variable);
}

function lexFieldOrVariable(l: Lexer, type: ItemType): StateFn {
  if (l.atTerminator()) {
    l.emit(type === ItemType.Variable ? ItemType.Variable : ItemType.Dot);
    return lexInsideAction;
  }
  let r: number;
  for (;;) {
    r = l.next();
    if (!isAlphaNumeric(r)) {
      l.backup();
      break;
    }
  }
  if (!l.atTerminator()) return l.errorf(`bad character ${formatRune(r)}`);
  l.emit(type);
  return lexInsideAction;
}

function lexChar(l: Lexer): StateFn {
  for (;;) {
    let r = l.next();
    if (r === 0x5c) {
      r = l.next();
      if (r !== EOF && r !== 0x0a) continue;
    }
    if (r === EOF || r === 0x0a) {
      return l.errorf("unterminated character constant");
    }
    if (r === 0x27) break;
  }
  l.emit(ItemType.CharConstant);
  return lexInsideAction;
}

function lexNumber(l: Lexer): StateFn {
  if (!l.scanNumber()) {
    return l.errorf(
      `bad number syntax: ${quote(l.input.slice(l.start, l.pos))}`,
    );
  }
  const sign = l.peek();
  if (sign === 0x2b || sign === 0x2d) {
    if (!l.scanNumber() || l.input[l.pos - 1] !== "i") {
      return l.errorf(
        `bad number syntax: ${quote(l.input.slice(l.start, l.pos))}`,
      );
    }
    l.emit(ItemType.Complex);
  } else l.emit(ItemType.Number);
  return lexInsideAction;
}

function lexQuote(l: Lexer): StateFn {
  for (;;) {
    let r = l.next();
    if (r === 0x5c) {
      r = l.next();
      if (r !== EOF && r !== 0x0a) continue;
    }
    if (r === EOF || r === 0x0a) return l.errorf("unterminated quoted string");
    if (r === 0x22) break;
  }
  l.emit(ItemType.String);
  return lexInsideAction;
}

function lexRawQuote(l: Lexer): StateFn {
  for (;;) {
    const r = l.next();
    if (r === EOF) return l.errorf("unterminated raw quoted string");
    if (r === 0x60) break;
  }
  l.emit(ItemType.RawString);
  return lexInsideAction;
}
