/**
 * Go's `fmt.Sprint`, `Sprintln` and `Sprintf` over template values: verbs
 * `%v %+v %#v %T %s %q %x %X %d %b %o %O %c %U %e %E %f %F %g %G %t %%`,
 * flags, width, precision, `*` and `[n]` argument indexes, and Go's error
 * forms (`%!d(string=a)`, `%!s(MISSING)`, `%!(EXTRA int=1)`).
 *
 * @module
 */

import {
  canBackquote,
  formatFloat,
  isPrint,
  quote,
  quoteRune,
  utf8,
} from "./strconv.ts";
import {
  GoComplex,
  indirectInterface,
  isNilVal,
  kindOf,
  mapEntries,
  pointerElem,
  sliceVals,
  stringerText,
  structFields,
  toVal,
  type Val,
} from "./values.ts";

const BASIC_TYPES = new Set([
  "bool",
  "int",
  "int8",
  "int16",
  "int32",
  "int64",
  "uint",
  "uint8",
  "uint16",
  "uint32",
  "uint64",
  "uintptr",
  "float32",
  "float64",
  "complex64",
  "complex128",
  "string",
  "[]uint8",
  "[]byte",
]);

// Types whose pointer is a Stringer even when nil (fmt prints "<nil>").
const STRINGER_TYPES = new Set([
  "time.Time",
  "*time.Time",
  "time.Month",
  "time.Weekday",
]);

const LDIGITS = "0123456789abcdefx";
const UDIGITS = "0123456789ABCDEFX";

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function toBigInt(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return BigInt(Math.trunc(v));
  if (typeof v === "boolean") return v ? 1n : 0n;
  return 0n;
}

function toNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  return 0;
}

/** Turns an evaluator value into an `any` argument: interfaces unwrapped, nil as `null`. */
function argOf(val: Val): Val | null {
  const d = indirectInterface(val);
  return kindOf(d) === "invalid" ? null : d;
}

class Printer {
  buf = "";
  // flags
  plus = false;
  minus = false;
  sharp = false;
  space = false;
  zero = false;
  plusV = false;
  sharpV = false;
  wid = 0;
  prec = 0;
  widPresent = false;
  precPresent = false;
  // state
  arg: Val | null = null;
  value: Val | null = null;
  erroring = false;
  reordered = false;
  goodArgNum = true;

  clearFlags(): void {
    this.plus =
      this.minus =
      this.sharp =
      this.space =
      this.zero =
        false;
    this.plusV = this.sharpV = false;
    this.wid = this.prec = 0;
    this.widPresent = this.precPresent = false;
  }

  writePadding(n: number): void {
    if (n <= 0) return;
    this.buf += (this.zero ? "0" : " ").repeat(n);
  }

  pad(s: string): void {
    if (!this.widPresent || this.wid === 0) {
      this.buf += s;
      return;
    }
    const width = this.wid - runeCount(s);
    if (!this.minus) {
      this.writePadding(width);
      this.buf += s;
    } else {
      this.buf += s;
      this.writePadding(width);
    }
  }

  truncate(s: string): string {
    if (this.precPresent) {
      const runes = [...s];
      if (runes.length > this.prec) return runes.slice(0, this.prec).join("");
    }
    return s;
  }

  fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.sharp && canBackquote(s)) this.pad("`" + s + "`");
    else this.pad(quote(s, this.plus));
  }

  fmtSbx(bytes: Uint8Array, digits: string): void {
    let length = bytes.length;
    if (this.precPresent && this.prec < length) length = this.prec;
    let width = 2 * length;
    if (width > 0) {
      if (this.space) {
        if (this.sharp) width *= 2;
        width += length - 1;
      } else if (this.sharp) width += 2;
    } else {
      if (this.widPresent) this.writePadding(this.wid);
      return;
    }
    if (this.widPresent && this.wid > width && !this.minus) {
      this.writePadding(this.wid - width);
    }
    let out = "";
    if (this.sharp) out += "0" + digits[16];
    for (let i = 0; i < length; i++) {
      if (this.space && i > 0) {
        out += " ";
        if (this.sharp) out += "0" + digits[16];
      }
      const c = bytes[i]!;
      out += digits[c >> 4]! + digits[c & 15]!;
    }
    this.buf += out;
    if (this.widPresent && this.wid > width && this.minus) {
      this.writePadding(this.wid - width);
    }
  }

  fmtInteger(u: bigint, base: number, verb: string, digits: string): void {
    const negative = u < 0n;
    if (negative) u = -u;
    let prec = 0;
    if (this.precPresent) {
      prec = this.prec;
      if (prec === 0 && u === 0n) {
        const oldZero = this.zero;
        this.zero = false;
        this.writePadding(this.wid);
        this.zero = oldZero;
        return;
      }
    } else if (this.zero && this.widPresent) {
      prec = this.wid;
      if (negative || this.plus || this.space) prec--;
    }
    let s = "";
    if (u === 0n) s = "0";
    else {
      const b = BigInt(base);
      while (u > 0n) {
        s = digits[Number(u % b)]! + s;
        u /= b;
      }
    }
    if (s.length < prec) s = "0".repeat(prec - s.length) + s;
    if (this.sharp) {
      if (base === 2) s = "0b" + s;
      else if (base === 8) {
        if (s[0] !== "0") s = "0" + s;
      } else if (base === 16) s = "0" + digits[16] + s;
    }
    if (verb === "O") s = "0o" + s;
    if (negative) s = "-" + s;
    else if (this.plus) s = "+" + s;
    else if (this.space) s = " " + s;
    const oldZero = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = oldZero;
  }

  fmtUnicode(u: bigint): void {
    let prec = 4;
    if (this.precPresent && this.prec > 4) prec = this.prec;
    let s = "U+" +
      (u < 0n ? (u + (1n << 64n)) : u).toString(16).toUpperCase().padStart(
        prec,
        "0",
      );
    if (this.sharp && u >= 0n && u <= 0x10ffffn && isPrint(Number(u))) {
      s += " '" + String.fromCodePoint(Number(u)) + "'";
    }
    const oldZero = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = oldZero;
  }

  fmtFloatWith(v: number, verb: string, prec: number): void {
    if (this.precPresent) prec = this.prec;
    let num = formatFloat(v, { format: verb, precision: prec });
    if (verb === "b") num = formatBinaryFloat(v);
    let sign = "+";
    if (num[0] === "-" || num[0] === "+") {
      sign = num[0]!;
      num = num.slice(1);
    }
    if (this.space && sign === "+" && !this.plus) sign = " ";
    if (num[0] === "I" || num[0] === "N") {
      const oldZero = this.zero;
      this.zero = false;
      if (num[0] === "N" && !this.space && !this.plus) this.pad(num);
      else this.pad(sign + num);
      this.zero = oldZero;
      return;
    }
    if (this.plus || sign !== "+") {
      const full = sign + num;
      if (this.zero && this.widPresent && this.wid > full.length) {
        this.buf += sign;
        this.writePadding(this.wid - full.length);
        this.buf += num;
        return;
      }
      this.pad(full);
      return;
    }
    this.pad(num);
  }

  // ---- per-kind printing (print.go)

  fmtBool(v: boolean, verb: string): void {
    if (verb === "t" || verb === "v") this.pad(v ? "true" : "false");
    else this.badVerb(verb);
  }

  fmtIntegerVerb(v: bigint, unsigned: boolean, verb: string): void {
    switch (verb) {
      case "v":
        if (this.sharpV && unsigned) {
          this.sharp = true;
          this.fmtInteger(v, 16, verb, LDIGITS);
        } else this.fmtInteger(v, 10, verb, LDIGITS);
        return;
      case "d":
        return this.fmtInteger(v, 10, verb, LDIGITS);
      case "b":
        return this.fmtInteger(v, 2, verb, LDIGITS);
      case "o":
      case "O":
        return this.fmtInteger(v, 8, verb, LDIGITS);
      case "x":
        return this.fmtInteger(v, 16, verb, LDIGITS);
      case "X":
        return this.fmtInteger(v, 16, verb, UDIGITS);
      case "c": {
        const r = v < 0n || v > 0x10ffffn || (v >= 0xd800n && v <= 0xdfffn)
          ? 0xfffd
          : Number(v);
        return this.pad(String.fromCodePoint(r));
      }
      case "q": {
        const r = v < 0n || v > 0x10ffffn ? 0xfffd : Number(v);
        return this.pad(quoteRune(r, this.plus));
      }
      case "U":
        return this.fmtUnicode(v);
    }
    this.badVerb(verb);
  }

  fmtFloat(v: number, verb: string): void {
    switch (verb) {
      case "v":
        return this.fmtFloatWith(v, "g", -1);
      case "b":
      case "g":
      case "G":
      case "x":
      case "X":
        return this.fmtFloatWith(v, this.sharpV ? "g" : verb, -1);
      case "f":
      case "e":
      case "E":
      case "F":
        return this.fmtFloatWith(
          v,
          this.sharpV ? "g" : verb,
          this.sharpV ? -1 : 6,
        );
    }
    this.badVerb(verb);
  }

  fmtComplex(c: GoComplex, verb: string): void {
    if (!"vbgGxXfFeE".includes(verb)) {
      this.badVerb(verb);
      return;
    }
    const oldPlus = this.plus;
    this.buf += "(";
    this.fmtFloat(c.re, verb);
    this.plus = true;
    this.fmtFloat(c.im, verb);
    this.buf += "i)";
    this.plus = oldPlus;
  }

  fmtString(v: string, verb: string): void {
    switch (verb) {
      case "v":
        if (this.sharpV) this.fmtQ(v);
        else this.fmtS(v);
        return;
      case "s":
        return this.fmtS(v);
      case "x":
        return this.fmtSbx(utf8(v), LDIGITS);
      case "X":
        return this.fmtSbx(utf8(v), UDIGITS);
      case "q":
        return this.fmtQ(v);
    }
    this.badVerb(verb);
  }

  fmtBytes(v: Uint8Array, verb: string, typeName: string): void {
    switch (verb) {
      case "v":
      case "d":
        if (this.sharpV) {
          this.buf += typeName + "{";
          v.forEach((c, i) => {
            if (i > 0) this.buf += ", ";
            this.buf += "0x" + c.toString(16);
          });
          this.buf += "}";
        } else {
          this.buf += "[";
          v.forEach((c, i) => {
            if (i > 0) this.buf += " ";
            this.fmtInteger(BigInt(c), 10, verb, LDIGITS);
          });
          this.buf += "]";
        }
        return;
      case "s":
        return this.fmtS(new TextDecoder().decode(v));
      case "x":
        return this.fmtSbx(v, LDIGITS);
      case "X":
        return this.fmtSbx(v, UDIGITS);
      case "q":
        return this.fmtQ(new TextDecoder().decode(v));
    }
    this.printValue({ v: [...v], t: "[]uint8" }, verb, 0);
  }

  badVerb(verb: string): void {
    this.erroring = true;
    this.buf += "%!" + verb + "(";
    if (this.arg !== null) {
      this.buf += this.arg.t + "=";
      this.printArg(this.arg, "v");
    } else if (this.value !== null && kindOf(this.value) !== "invalid") {
      this.buf += this.value.t + "=";
      this.printValue(this.value, "v", 0);
    } else {
      this.buf += "<nil>";
    }
    this.buf += ")";
    this.erroring = false;
  }

  handleMethods(verb: string): boolean {
    if (this.erroring || this.arg === null) return false;
    if (this.sharpV) return false;
    if (!"vsxXq".includes(verb)) return false;
    const arg = this.arg;
    if (kindOf(arg) === "ptr" && isNilVal(arg) && STRINGER_TYPES.has(arg.t)) {
      this.fmtS("<nil>");
      return true;
    }
    const text = stringerText(arg);
    if (text === undefined) return false;
    this.fmtString(text, verb);
    return true;
  }

  printArg(arg: Val | null, verb: string): void {
    this.arg = arg;
    this.value = null;
    if (arg === null) {
      if (verb === "T" || verb === "v") this.pad("<nil>");
      else this.badVerb(verb);
      return;
    }
    if (verb === "T") {
      this.fmtS(arg.t);
      return;
    }
    if (verb === "p") {
      this.badVerb(verb);
      return;
    }
    if (BASIC_TYPES.has(arg.t)) {
      this.printBasic(arg, verb);
      return;
    }
    if (!this.handleMethods(verb)) this.printValue(arg, verb, 0);
  }

  printBasic(val: Val, verb: string): void {
    const v = val.v;
    switch (kindOf(val)) {
      case "bool":
        return this.fmtBool(Boolean(v), verb);
      case "int":
        return this.fmtIntegerVerb(toBigInt(v), false, verb);
      case "uint":
        return this.fmtIntegerVerb(toBigInt(v), true, verb);
      case "float":
        return this.fmtFloat(toNumber(v), verb);
      case "complex":
        return this.fmtComplex(
          v instanceof GoComplex ? v : new GoComplex(toNumber(v), 0),
          verb,
        );
      case "string":
        return this.fmtString(String(v), verb);
      case "slice":
        return this.fmtBytes(
          v instanceof Uint8Array
            ? v
            : new Uint8Array((v as number[] | null) ?? []),
          verb,
          val.t,
        );
    }
    this.printValue(val, verb, 0);
  }

  printValue(value: Val, verb: string, depth: number): void {
    if (depth > 0 && kindOf(value) !== "invalid") {
      this.arg = value;
      if (this.handleMethods(verb)) return;
    }
    this.arg = null;
    this.value = value;
    const v = value.v;
    switch (kindOf(value)) {
      case "invalid":
        if (depth === 0) this.buf += "<invalid reflect.Value>";
        else if (verb === "v") this.buf += "<nil>";
        else this.badVerb(verb);
        return;
      case "bool":
        return this.fmtBool(Boolean(v), verb);
      case "int":
        return this.fmtIntegerVerb(toBigInt(v), false, verb);
      case "uint":
        return this.fmtIntegerVerb(toBigInt(v), true, verb);
      case "float":
        return this.fmtFloat(toNumber(v), verb);
      case "complex":
        return this.fmtComplex(
          v instanceof GoComplex ? v : new GoComplex(toNumber(v), 0),
          verb,
        );
      case "string":
        return this.fmtString(String(v), verb);
      case "map": {
        if (this.sharpV) {
          this.buf += value.t;
          if (isNilVal(value)) {
            this.buf += "(nil)";
            return;
          }
          this.buf += "{";
        } else this.buf += "map[";
        mapEntries(value).forEach(([k, x], i) => {
          if (i > 0) this.buf += this.sharpV ? ", " : " ";
          this.printValue(k, verb, depth + 1);
          this.buf += ":";
          this.printValue(x, verb, depth + 1);
        });
        this.buf += this.sharpV ? "}" : "]";
        return;
      }
      case "struct": {
        if (this.sharpV) this.buf += value.t;
        this.buf += "{";
        structFields(value).forEach((f, i) => {
          if (i > 0) this.buf += this.sharpV ? ", " : " ";
          if (this.plusV || this.sharpV) this.buf += f.name + ":";
          this.printValue(f.val, verb, depth + 1);
        });
        this.buf += "}";
        return;
      }
      case "interface": {
        if (isNilVal(value)) {
          if (this.sharpV) this.buf += value.t + "(nil)";
          else this.buf += "<nil>";
          return;
        }
        return this.printValue(toVal(v), verb, depth + 1);
      }
      case "slice":
      case "array": {
        if (
          "sqxX".includes(verb) &&
          (value.t === "[]uint8" || value.t === "[]byte")
        ) {
          return this.fmtBytes(
            v instanceof Uint8Array
              ? v
              : new Uint8Array((v as number[] | null) ?? []),
            verb,
            value.t,
          );
        }
        if (this.sharpV) {
          this.buf += value.t;
          if (isNilVal(value)) {
            this.buf += "(nil)";
            return;
          }
          this.buf += "{";
          sliceVals(value).forEach((x, i) => {
            if (i > 0) this.buf += ", ";
            this.printValue(x, verb, depth + 1);
          });
          this.buf += "}";
          return;
        }
        this.buf += "[";
        sliceVals(value).forEach((x, i) => {
          if (i > 0) this.buf += " ";
          this.printValue(x, verb, depth + 1);
        });
        this.buf += "]";
        return;
      }
      case "ptr": {
        if (!isNilVal(value)) {
          // Go prints an address for nested pointers; an address means
          // nothing here, so every level prints like the top one.
          const elem = pointerElem(value);
          const k = kindOf(elem);
          if (k === "array" || k === "slice" || k === "struct" || k === "map") {
            this.buf += "&";
            return this.printValue(elem, verb, depth + 1);
          }
        }
        return this.fmtPointer(value, verb);
      }
      case "func":
      case "chan":
        return this.fmtPointer(value, verb);
    }
  }

  fmtPointer(value: Val, verb: string): void {
    const nil = isNilVal(value);
    switch (verb) {
      case "v":
        if (this.sharpV) {
          this.buf += "(" + value.t + ")(" + (nil ? "nil" : "0xc000000000") +
            ")";
        } else if (nil) this.pad("<nil>");
        else this.pad("0xc000000000");
        return;
      case "p":
        this.pad(nil ? "0x0" : "0xc000000000");
        return;
    }
    this.badVerb(verb);
  }

  // ---- Printf driver

  doPrintf(format: string, args: ReadonlyArray<Val | null>): void {
    const end = format.length;
    let argNum = 0;
    let afterIndex = false;
    this.reordered = false;
    let i = 0;
    formatLoop: while (i < end) {
      this.goodArgNum = true;
      const lasti = i;
      while (i < end && format[i] !== "%") i++;
      if (i > lasti) this.buf += format.slice(lasti, i);
      if (i >= end) break;
      i++;
      this.clearFlags();
      simple: for (; i < end; i++) {
        const c = format[i]!;
        switch (c) {
          case "#":
            this.sharp = true;
            break;
          case "0":
            this.zero = !this.minus;
            break;
          case "+":
            this.plus = true;
            break;
          case "-":
            this.minus = true;
            this.zero = false;
            break;
          case " ":
            this.space = true;
            break;
          default:
            if (c >= "a" && c <= "z" && argNum < args.length) {
              if (c === "v") {
                this.sharpV = this.sharp;
                this.sharp = false;
                this.plusV = this.plus;
                this.plus = false;
              }
              this.printArg(args[argNum]!, c);
              argNum++;
              i++;
              continue formatLoop;
            }
            break simple;
        }
      }
      [argNum, i, afterIndex] = this.argNumber(argNum, format, i, args.length);
      if (i < end && format[i] === "*") {
        i++;
        [this.wid, this.widPresent, argNum] = intFromArg(args, argNum);
        if (!this.widPresent) this.buf += "%!(BADWIDTH)";
        if (this.wid < 0) {
          this.wid = -this.wid;
          this.minus = true;
          this.zero = false;
        }
        afterIndex = false;
      } else {
        [this.wid, this.widPresent, i] = parseNum(format, i, end);
        if (afterIndex && this.widPresent) this.goodArgNum = false;
      }
      if (i + 1 < end && format[i] === ".") {
        i++;
        if (afterIndex) this.goodArgNum = false;
        [argNum, i, afterIndex] = this.argNumber(
          argNum,
          format,
          i,
          args.length,
        );
        if (i < end && format[i] === "*") {
          i++;
          [this.prec, this.precPresent, argNum] = intFromArg(args, argNum);
          if (this.prec < 0) {
            this.prec = 0;
            this.precPresent = false;
          }
          if (!this.precPresent) this.buf += "%!(BADPREC)";
          afterIndex = false;
        } else {
          [this.prec, this.precPresent, i] = parseNum(format, i, end);
          if (!this.precPresent) {
            this.prec = 0;
            this.precPresent = true;
          }
        }
      }
      if (!afterIndex) {
        [argNum, i, afterIndex] = this.argNumber(
          argNum,
          format,
          i,
          args.length,
        );
      }
      if (i >= end) {
        this.buf += "%!(NOVERB)";
        break;
      }
      const verb = String.fromCodePoint(format.codePointAt(i)!);
      i += verb.length;
      if (verb === "%") this.buf += "%";
      else if (!this.goodArgNum) this.buf += "%!" + verb + "(BADINDEX)";
      else if (argNum >= args.length) this.buf += "%!" + verb + "(MISSING)";
      else {
        if (verb === "v") {
          this.sharpV = this.sharp;
          this.sharp = false;
          this.plusV = this.plus;
          this.plus = false;
        }
        this.printArg(args[argNum]!, verb);
        argNum++;
      }
    }
    if (!this.reordered && argNum < args.length) {
      this.clearFlags();
      this.buf += "%!(EXTRA ";
      args.slice(argNum).forEach((arg, j) => {
        if (j > 0) this.buf += ", ";
        if (arg === null) this.buf += "<nil>";
        else {
          this.buf += arg.t + "=";
          this.printArg(arg, "v");
        }
      });
      this.buf += ")";
    }
  }

  argNumber(
    argNum: number,
    format: string,
    i: number,
    numArgs: number,
  ): [number, number, boolean] {
    if (format.length <= i || format[i] !== "[") return [argNum, i, false];
    this.reordered = true;
    const [index, wid, ok] = parseArgNumber(format.slice(i));
    if (ok && index >= 0 && index < numArgs) return [index, i + wid, true];
    this.goodArgNum = false;
    return [argNum, i + wid, ok];
  }
}

function tooLarge(n: number): boolean {
  return n > 1e6 || n < -1e6;
}

function parseNum(
  s: string,
  start: number,
  end: number,
): [number, boolean, number] {
  if (start >= end) return [0, false, end];
  let num = 0, isNum = false, i = start;
  for (; i < end && s[i]! >= "0" && s[i]! <= "9"; i++) {
    if (tooLarge(num)) return [0, false, end];
    num = num * 10 + (s.charCodeAt(i) - 48);
    isNum = true;
  }
  return [num, isNum, i];
}

function parseArgNumber(format: string): [number, number, boolean] {
  if (format.length < 3) return [0, 1, false];
  for (let i = 1; i < format.length; i++) {
    if (format[i] === "]") {
      const [width, ok, newi] = parseNum(format, 1, i);
      if (!ok || newi !== i) return [0, i + 1, false];
      return [width - 1, i + 1, true];
    }
  }
  return [0, 1, false];
}

function intFromArg(
  args: ReadonlyArray<Val | null>,
  argNum: number,
): [number, boolean, number] {
  let num = 0, isInt = false, newArgNum = argNum;
  if (argNum < args.length) {
    const a = args[argNum];
    if (a) {
      const k = kindOf(a);
      if (k === "int" || k === "uint") {
        num = toNumber(typeof a.v === "bigint" ? Number(a.v) : a.v);
        isInt = true;
      }
    }
    newArgNum = argNum + 1;
    if (tooLarge(num)) {
      num = 0;
      isInt = false;
    }
  }
  return [num, isInt, newArgNum];
}

function formatBinaryFloat(x: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0), lo = view.getUint32(4);
  const neg = (hi >>> 31) === 1;
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp = biased - 1075;
  if (biased === 0) exp++;
  else mant |= 1n << 52n;
  return (neg ? "-" : "") + mant.toString() + "p" + (exp >= 0 ? "+" : "") + exp;
}

/**
 * Go's `fmt.Sprintf`.
 *
 * @param format The format string.
 * @param args The arguments, as evaluator values.
 * @returns The formatted text.
 */
export function sprintf(format: string, args: readonly Val[]): string {
  const p = new Printer();
  p.doPrintf(format, args.map(argOf));
  return p.buf;
}

/**
 * Go's `fmt.Sprint`: operands side by side, a space between two operands
 * when neither is a string.
 */
export function sprint(args: readonly Val[]): string {
  const p = new Printer();
  let prevString = false;
  args.map(argOf).forEach((arg, i) => {
    const isString = arg !== null && kindOf(arg) === "string";
    if (i > 0 && !isString && !prevString) p.buf += " ";
    p.printArg(arg, "v");
    prevString = isString;
  });
  return p.buf;
}

/** Go's `fmt.Sprintln`: operands separated by spaces, then a newline. */
export function sprintln(args: readonly Val[]): string {
  const p = new Printer();
  args.map(argOf).forEach((arg, i) => {
    if (i > 0) p.buf += " ";
    p.printArg(arg, "v");
  });
  return p.buf + "\n";
}

/** `%v` of one value, as `fmt.Sprint(x)` prints it. */
export function formatValue(val: Val): string {
  return sprint([val]);
}
