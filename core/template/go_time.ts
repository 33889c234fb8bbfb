/**
 * Go's `time.Time` as templates see it: printed like `Time.String()`
 * (`2024-01-02 03:04:05.123456789 +0000 UTC`), formatted with Go layouts,
 * marshalled to JSON as RFC 3339 with nanoseconds, and offering the usual
 * methods (`.Created.Year`, `.Created.Format "2006-01-02"`).
 *
 * @module
 */

import type { GoFunc, GoMethods } from "./values.ts";
import { GoValue } from "./values.ts";

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = [
  "Sunday",
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
];

/** Go's `time.String()` layout. */
export const GO_TIME_STRING_LAYOUT = "2006-01-02 15:04:05.999999999 -0700 MST";
/** Go's `time.RFC3339Nano` layout, used by `MarshalJSON`. */
export const RFC3339_NANO = "2006-01-02T15:04:05.999999999Z07:00";

// Days from 1970-01-01 to a civil date (proleptic Gregorian).
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): { y: number; m: number; d: number } {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) -
      Math.floor(doe / 146096)) / 365,
  );
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return { y: y + (m <= 2 ? 1 : 0), m, d };
}

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

function daysIn(m: number, y: number): number {
  if (m === 2) return isLeap(y) ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, "0");
  return n < 0 ? "-" + s : s;
}

/** A zone the local clock is in, for {@linkcode GoTime.parse}. */
export interface GoZone {
  /** Abbreviation, e.g. `UTC` or `CET`. */
  readonly name: string;
  /** Seconds east of UTC. */
  readonly offset: number;
}

/** Civil fields of a time in its zone. */
interface Civil {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
  yday: number;
}

/**
 * A Go `time.Time`: an instant with nanoseconds and the zone it was read in.
 *
 * @example Print a config's creation time as skopeo does
 * ```ts
 * import { GoTime } from "./go_time.ts";
 * const t = GoTime.parse("2024-01-02T03:04:05.5Z");
 * console.assert(t.toString() === "2024-01-02 03:04:05.5 +0000 UTC");
 * ```
 */
export class GoTime {
  /** Seconds since the Unix epoch. */
  readonly unixSeconds: number;
  /** Nanoseconds within the second, 0 to 999 999 999. */
  readonly nanos: number;
  /** The zone's offset east of UTC, in seconds. */
  readonly offset: number;
  /** The zone's abbreviation; empty for a fixed offset with no name. */
  readonly zoneName: string;

  /**
   * Creates a time from an instant and a zone.
   *
   * @param unixSeconds Seconds since the Unix epoch.
   * @param nanos Nanoseconds within the second.
   * @param options `zone`: the zone (UTC by default).
   */
  constructor(
    unixSeconds: number,
    nanos: number,
    options: { zone?: GoZone } = {},
  ) {
    const zone = options.zone ?? { name: "UTC", offset: 0 };
    this.unixSeconds = unixSeconds;
    this.nanos = nanos;
    this.offset = zone.offset;
    this.zoneName = zone.name;
  }

  /** The same instant from a JS `Date`, in UTC. */
  static fromDate(date: Date): GoTime {
    const ms = date.getTime();
    const s = Math.floor(ms / 1000);
    return new GoTime(s, (ms - s * 1000) * 1e6);
  }

  /**
   * Parses RFC 3339 text as Go's `time.Time.UnmarshalJSON` does: `Z` gives
   * UTC; an offset equal to the local zone's takes that zone's name; any
   * other offset gives an unnamed fixed zone (printed `+0200 +0200`).
   *
   * @param text E.g. `2024-01-02T03:04:05.123Z`.
   * @param options `local`: the zone skopeo ran in (UTC by default).
   * @throws {RangeError} With Go's reason when Go rejects the text.
   */
  static parse(text: string, options: { local?: GoZone } = {}): GoTime {
    const m =
      /^(\d{4})-(\d{2})-(\d{2})T(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/
        .exec(text);
    if (!m) {
      throw new RangeError(
        `parsing time "${text}" as "2006-01-02T15:04:05Z07:00": cannot parse`,
      );
    }
    const [, ys, mos, ds, hs, mis, ss, frac, zulu, sign, zh, zm] = m;
    const year = Number(ys), month = Number(mos), day = Number(ds);
    const hour = Number(hs), minute = Number(mis), second = Number(ss);
    const bad = (what: string): never => {
      throw new RangeError(`parsing time "${text}": ${what} out of range`);
    };
    if (month < 1 || month > 12) bad("month");
    if (day < 1 || day > daysIn(month, year)) bad("day");
    if (hour > 23) bad("hour");
    if (minute > 59) bad("minute");
    if (second > 59) bad("second");
    const nanos = frac ? Number(frac.slice(0, 9).padEnd(9, "0")) : 0;
    let offset = 0;
    let zone: GoZone = { name: "UTC", offset: 0 };
    if (!zulu) {
      offset = (Number(zh) * 3600 + Number(zm) * 60) * (sign === "-" ? -1 : 1);
      const local = options.local ?? { name: "UTC", offset: 0 };
      zone = local.offset === offset ? local : { name: "", offset };
    }
    const days = daysFromCivil(year, month, day);
    const secs = days * 86400 + hour * 3600 + minute * 60 + second - offset;
    return new GoTime(secs, nanos, { zone });
  }

  #civil(): Civil {
    const local = this.unixSeconds + this.offset;
    const days = Math.floor(local / 86400);
    const rem = local - days * 86400;
    const { y, m, d } = civilFromDays(days);
    return {
      year: y,
      month: m,
      day: d,
      hour: Math.floor(rem / 3600),
      minute: Math.floor((rem % 3600) / 60),
      second: rem % 60,
      weekday: ((days % 7) + 11) % 7, // 1970-01-01 was a Thursday
      yday: days - daysFromCivil(y, 1, 1) + 1,
    };
  }

  /** The same instant in UTC. */
  utc(): GoTime {
    return new GoTime(this.unixSeconds, this.nanos);
  }

  /** Whether this is Go's zero time, 0001-01-01 00:00:00 UTC. */
  isZero(): boolean {
    return this.unixSeconds === -62135596800 && this.nanos === 0;
  }

  /** Go's `Time.String()`. */
  toString(): string {
    return this.format(GO_TIME_STRING_LAYOUT);
  }

  /** Go's `Time.MarshalJSON()` text, without the quotes. */
  toJson(): string {
    return this.format(RFC3339_NANO);
  }

  /**
   * Go's `Time.Format(layout)`.
   *
   * @param layout A Go layout such as `2006-01-02T15:04:05Z07:00`.
   */
  format(layout: string): string {
    const c = this.#civil();
    let out = "";
    let rest = layout;
    while (rest.length > 0) {
      const { prefix, std, arg, suffix } = nextChunk(rest);
      out += prefix;
      rest = suffix;
      if (std === "") break;
      out += this.#formatStd(std, arg, c);
    }
    return out;
  }

  #formatStd(std: string, arg: number, c: Civil): string {
    const offMin = Math.trunc(this.offset / 60);
    const numericZone = (
      colon: boolean,
      seconds: boolean,
      hoursOnly: boolean,
    ): string => {
      let zone = offMin;
      let s = "+";
      if (zone < 0) {
        s = "-";
        zone = -zone;
      }
      s += pad(Math.floor(zone / 60), 2);
      if (!hoursOnly) s += (colon ? ":" : "") + pad(zone % 60, 2);
      if (seconds) s += (colon ? ":" : "") + pad(Math.abs(this.offset) % 60, 2);
      return s;
    };
    switch (std) {
      case "2006":
        return pad(c.year, 4);
      case "06":
        return pad(((c.year % 100) + 100) % 100, 2);
      case "Jan":
        return MONTHS[c.month - 1]!.slice(0, 3);
      case "January":
        return MONTHS[c.month - 1]!;
      case "1":
        return String(c.month);
      case "01":
        return pad(c.month, 2);
      case "Mon":
        return DAYS[c.weekday]!.slice(0, 3);
      case "Monday":
        return DAYS[c.weekday]!;
      case "2":
        return String(c.day);
      case "_2":
        return String(c.day).padStart(2, " ");
      case "02":
        return pad(c.day, 2);
      case "__2":
        return String(c.yday).padStart(3, " ");
      case "002":
        return pad(c.yday, 3);
      case "15":
        return pad(c.hour, 2);
      case "3":
        return String(c.hour % 12 === 0 ? 12 : c.hour % 12);
      case "03":
        return pad(c.hour % 12 === 0 ? 12 : c.hour % 12, 2);
      case "4":
        return String(c.minute);
      case "04":
        return pad(c.minute, 2);
      case "5":
        return String(c.second);
      case "05":
        return pad(c.second, 2);
      case "PM":
        return c.hour >= 12 ? "PM" : "AM";
      case "pm":
        return c.hour >= 12 ? "pm" : "am";
      case "MST":
        return this.zoneName !== ""
          ? this.zoneName
          : numericZone(false, false, false);
      case "Z070000":
      case "Z07:00:00":
      case "Z0700":
      case "Z07:00":
      case "Z07":
        if (this.offset === 0) return "Z";
        return numericZone(
          std.includes(":"),
          std.endsWith("0000") || std.endsWith(":00:00"),
          std === "Z07",
        );
      case "-070000":
      case "-07:00:00":
      case "-0700":
      case "-07:00":
      case "-07":
        return numericZone(
          std.includes(":"),
          std.endsWith("0000") || std.endsWith(":00:00"),
          std === "-07",
        );
    }
    // Fractional seconds: ".000", ".999", ",000"…
    const sep = std[0]!;
    const digits = String(this.nanos).padStart(9, "0").slice(0, arg);
    if (std[1] === "0") return sep + digits;
    const trimmed = digits.replace(/0+$/, "");
    return trimmed === "" ? "" : sep + trimmed;
  }

  /** Whether `time.Time` has a template method with that name. */
  static hasMethod(name: string): boolean {
    return ZERO_TIME.method(name) !== undefined;
  }

  /** The template method with that Go name, if `time.Time` has it. */
  method(name: string): GoFunc | undefined {
    const c = (): Civil => this.#civil();
    const num = (f: () => number, result = "int"): GoFunc => ({
      params: [],
      result,
      fn: f,
    });
    switch (name) {
      case "Year":
        return num(() => c().year);
      case "Month":
        return {
          params: [],
          result: "time.Month",
          fn: () => monthValue(c().month),
        };
      case "Day":
        return num(() => c().day);
      case "Hour":
        return num(() => c().hour);
      case "Minute":
        return num(() => c().minute);
      case "Second":
        return num(() => c().second);
      case "Nanosecond":
        return num(() => this.nanos);
      case "YearDay":
        return num(() => c().yday);
      case "Weekday":
        return {
          params: [],
          result: "time.Weekday",
          fn: () => weekdayValue(c().weekday),
        };
      case "Unix":
        return num(() => this.unixSeconds, "int64");
      case "UnixMilli":
        return num(
          () => this.unixSeconds * 1000 + Math.floor(this.nanos / 1e6),
          "int64",
        );
      case "UnixMicro":
        return num(
          () => this.unixSeconds * 1e6 + Math.floor(this.nanos / 1e3),
          "int64",
        );
      case "UnixNano":
        return {
          params: [],
          result: "int64",
          fn: () =>
            BigInt(this.unixSeconds) * 1_000_000_000n + BigInt(this.nanos),
        };
      case "IsZero":
        return { params: [], result: "bool", fn: () => this.isZero() };
      case "String":
        return { params: [], result: "string", fn: () => this.toString() };
      case "Format":
        return {
          params: ["string"],
          result: "string",
          fn: ((layout: string) => this.format(layout)) as (
            ...a: never[]
          ) => unknown,
        };
      case "UTC":
        return { params: [], result: "time.Time", fn: () => this.utc() };
    }
    return undefined;
  }
}

const ZERO_TIME = new GoTime(-62135596800, 0);

function monthValue(month: number): GoValue {
  const methods: GoMethods = {
    String: { params: [], result: "string", fn: () => MONTHS[month - 1]! },
  };
  return new GoValue(month, "time.Month", { methods });
}

function weekdayValue(day: number): GoValue {
  const methods: GoMethods = {
    String: { params: [], result: "string", fn: () => DAYS[day]! },
  };
  return new GoValue(day, "time.Weekday", { methods });
}

const STD_PREFIXES: ReadonlyArray<[string, string]> = [
  ["January", "January"],
  ["Jan", "Jan"],
  ["Monday", "Monday"],
  ["Mon", "Mon"],
  ["MST", "MST"],
  ["2006", "2006"],
  ["__2", "__2"],
  ["_2", "_2"],
  ["002", "002"],
  ["01", "01"],
  ["02", "02"],
  ["03", "03"],
  ["04", "04"],
  ["05", "05"],
  ["06", "06"],
  ["15", "15"],
  ["1", "1"],
  ["2", "2"],
  ["3", "3"],
  ["4", "4"],
  ["5", "5"],
  ["PM", "PM"],
  ["pm", "pm"],
  ["-07:00:00", "-07:00:00"],
  ["-070000", "-070000"],
  ["-07:00", "-07:00"],
  ["-0700", "-0700"],
  ["-07", "-07"],
  ["Z07:00:00", "Z07:00:00"],
  ["Z070000", "Z070000"],
  ["Z07:00", "Z07:00"],
  ["Z0700", "Z0700"],
  ["Z07", "Z07"],
];

function startsWithLower(s: string): boolean {
  const c = s.charCodeAt(0);
  return c >= 97 && c <= 122;
}

// Go's nextStdChunk: the text before the next layout element, the element
// and the text after it. `arg` is the digit count of fractional seconds.
function nextChunk(
  layout: string,
): { prefix: string; std: string; arg: number; suffix: string } {
  for (let i = 0; i < layout.length; i++) {
    const rest = layout.slice(i);
    const c = layout[i]!;
    if (c === "." || c === ",") {
      const d = layout[i + 1];
      if (d === "0" || d === "9") {
        let j = i + 1;
        while (j < layout.length && layout[j] === d) j++;
        if (!(j < layout.length && /[0-9]/.test(layout[j]!))) {
          return {
            prefix: layout.slice(0, i),
            std: c + d,
            arg: j - (i + 1),
            suffix: layout.slice(j),
          };
        }
      }
      continue;
    }
    for (const [p, std] of STD_PREFIXES) {
      if (!rest.startsWith(p)) continue;
      // Go: "Jan"/"Mon" must not continue with a lowercase letter.
      if ((p === "Jan" || p === "Mon") && startsWithLower(rest.slice(3))) {
        continue;
      }
      if (p === "_2" && rest.startsWith("_2006")) {
        return {
          prefix: layout.slice(0, i + 1),
          std: "2006",
          arg: 0,
          suffix: layout.slice(i + 5),
        };
      }
      return {
        prefix: layout.slice(0, i),
        std,
        arg: 0,
        suffix: layout.slice(i + p.length),
      };
    }
  }
  return { prefix: layout, std: "", arg: 0, suffix: "" };
}
