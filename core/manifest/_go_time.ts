/**
 * Timestamps as Go (1.19, the toolchain of skopeo 1.9.3) reads and writes
 * them in JSON: `time.Time.UnmarshalJSON` parses RFC 3339 and
 * `MarshalJSON` prints RFC 3339 with nanoseconds, trailing zeros trimmed,
 * the original UTC offset kept and a zero offset written `Z`.
 *
 * @module
 */

/** The JSON text of Go's zero `time.Time`. */
export const GO_ZERO_TIME = "0001-01-01T00:00:00Z";

// Year: 4 digits; month, day, minute, second: 2 digits; hour: 1 or 2 digits
// (Go's "15" layout element); fraction after "." or ","; zone "Z" or ±hh:mm.
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysIn(month: number, year: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/**
 * Parses a timestamp as Go would and returns the text Go would write back.
 *
 * @param text The JSON string value.
 * @returns The re-marshalled form, e.g. `2023-01-01T00:00:00Z`.
 * @throws {RangeError} With Go's reason when Go would reject the text.
 */
export function normalizeGoTime(text: string): string {
  const match = RFC3339.exec(text);
  if (!match) {
    throw new RangeError(`cannot parse "${text}" as RFC 3339 time`);
  }
  const [, y, mo, d, h, mi, s, fraction, zulu, sign, zh, zm] = match;
  const year = Number(y), month = Number(mo), day = Number(d);
  const hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12) {
    throw new RangeError(`"${text}": month out of range`);
  }
  if (day < 1 || day > daysIn(month, year)) {
    throw new RangeError(`"${text}": day out of range`);
  }
  if (hour > 23) throw new RangeError(`"${text}": hour out of range`);
  if (minute > 59) throw new RangeError(`"${text}": minute out of range`);
  if (second > 59) throw new RangeError(`"${text}": second out of range`);

  // Go keeps at most nanoseconds (extra digits are dropped, not rounded).
  const nanos = (fraction ?? "").slice(0, 9).padEnd(9, "0").replace(/0+$/, "");
  let zone = "Z";
  if (!zulu) {
    // Go does not range-check the offset's fields; it only adds them up.
    const offset = Number(zh) * 3600 + Number(zm) * 60;
    if (offset !== 0) {
      const hours = Math.floor(offset / 3600);
      const minutes = Math.floor(offset / 60) % 60;
      zone = `${sign}${pad(hours, 2)}:${pad(minutes, 2)}`;
    }
  }
  return `${y}-${mo}-${d}T${pad(hour, 2)}:${mi}:${s}${
    nanos ? "." + nanos : ""
  }${zone}`;
}
