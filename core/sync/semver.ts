/**
 * Semantic-version tags and range constraints for the YAML key
 * `images-by-semver` (newer skopeo, which uses Masterminds/semver v3): tags
 * are parsed leniently (`v1.2`, `1`), constraints support `=`, `!=`, `>`,
 * `>=`, `<`, `<=`, `~`, `^`, wildcards (`1.2.x`, `*`), hyphen ranges
 * (`1.2 - 1.4`), `,`/space for AND and `||` for OR. A pre-release version
 * matches only a constraint that itself names a pre-release.
 *
 * @module
 */
import { UsageError } from "../errors.ts";

/** A parsed version. */
export interface SemVer {
  /** Major number. */
  major: number;
  /** Minor number (0 when omitted). */
  minor: number;
  /** Patch number (0 when omitted). */
  patch: number;
  /** Dot-separated pre-release identifiers; empty for a release. */
  prerelease: string[];
}

const VERSION =
  /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/**
 * Parses a tag as a version, leniently (a `v` prefix and missing minor or
 * patch numbers are allowed).
 *
 * @param text A tag such as `v1.2.3-rc.1`.
 * @returns The version, or undefined when the tag is not one.
 */
export function parseSemVer(text: string): SemVer | undefined {
  const match = VERSION.exec(text);
  if (!match) return undefined;
  const numbers = [match[1], match[2], match[3]].map((n) =>
    n === undefined ? 0 : Number(n)
  );
  if (numbers.some((n) => !Number.isSafeInteger(n))) return undefined;
  return {
    major: numbers[0]!,
    minor: numbers[1]!,
    patch: numbers[2]!,
    prerelease: match[4] === undefined ? [] : match[4].split("."),
  };
}

function compareIdentifiers(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return Math.sign(Number(a) - Number(b));
  if (an !== bn) return an ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Orders two versions by SemVer 2.0 precedence (build metadata ignored).
 *
 * @returns Negative, zero or positive.
 */
export function compareSemVer(a: SemVer, b: SemVer): number {
  const byNumbers = Math.sign(a.major - b.major) ||
    Math.sign(a.minor - b.minor) || Math.sign(a.patch - b.patch);
  if (byNumbers !== 0) return byNumbers;
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    return b.prerelease.length - a.prerelease.length === 0
      ? 0
      : a.prerelease.length === 0
      ? 1
      : -1;
  }
  const length = Math.max(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < length; i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const order = compareIdentifiers(x, y);
    if (order !== 0) return order;
  }
  return 0;
}

/** A version in a constraint; `wild` counts the trailing wildcard parts. */
interface Bound {
  version: SemVer;
  /** 0: exact; 1: patch is a wildcard; 2: minor too; 3: everything (`*`). */
  wild: number;
}

type Check = (v: SemVer) => boolean;

const BOUND =
  /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$/;

function parseBound(text: string, constraint: string): Bound {
  const match = BOUND.exec(text);
  if (!match) throw new UsageError(`improper constraint: ${constraint}`);
  const parts = [match[1], match[2], match[3]];
  let wild = 0;
  const numbers: number[] = [];
  for (let i = 0; i < 3; i++) {
    const part = parts[i];
    if (wild > 0 || part === undefined || /^[xX*]$/.test(part)) {
      if (wild === 0) wild = 3 - i;
      numbers.push(0);
    } else {
      numbers.push(Number(part));
    }
  }
  return {
    version: {
      major: numbers[0]!,
      minor: numbers[1]!,
      patch: numbers[2]!,
      prerelease: match[4] === undefined ? [] : match[4].split("."),
    },
    wild,
  };
}

/** The first version above everything a wildcard bound covers. */
function ceiling(bound: Bound): SemVer {
  const { major, minor, patch } = bound.version;
  if (bound.wild >= 2) {
    return { major: major + 1, minor: 0, patch: 0, prerelease: [] };
  }
  if (bound.wild === 1) {
    return { major, minor: minor + 1, patch: 0, prerelease: [] };
  }
  return { major, minor, patch: patch + 1, prerelease: [] };
}

function range(low: SemVer, high: SemVer | undefined): Check {
  return (v) =>
    compareSemVer(v, low) >= 0 &&
    (high === undefined || compareSemVer(v, high) < 0);
}

function caretCeiling(bound: Bound): SemVer {
  const { major, minor, patch } = bound.version;
  if (major > 0 || bound.wild >= 2) {
    return { major: major + 1, minor: 0, patch: 0, prerelease: [] };
  }
  if (minor > 0 || bound.wild === 1) {
    return { major: 0, minor: minor + 1, patch: 0, prerelease: [] };
  }
  return { major: 0, minor: 0, patch: patch + 1, prerelease: [] };
}

function single(operator: string, bound: Bound): Check {
  const low = bound.version;
  if (bound.wild === 3 && operator !== "!=") return () => true;
  switch (operator) {
    case "":
    case "=":
      return bound.wild === 0
        ? (v) => compareSemVer(v, low) === 0
        : range(low, ceiling(bound));
    case "!=": {
      const inside = bound.wild === 0
        ? (v: SemVer) => compareSemVer(v, low) === 0
        : range(low, bound.wild === 3 ? undefined : ceiling(bound));
      return (v) => !inside(v);
    }
    case ">":
      return bound.wild === 0
        ? (v) => compareSemVer(v, low) > 0
        : (v) => compareSemVer(v, ceiling(bound)) >= 0;
    case ">=":
    case "=>":
      return (v) => compareSemVer(v, low) >= 0;
    case "<":
      return (v) => compareSemVer(v, low) < 0;
    case "<=":
    case "=<":
      return bound.wild === 0
        ? (v) => compareSemVer(v, low) <= 0
        : (v) => compareSemVer(v, ceiling(bound)) < 0;
    case "~":
    case "~>":
      return range(
        low,
        bound.wild >= 2
          ? { major: low.major + 1, minor: 0, patch: 0, prerelease: [] }
          : {
            major: low.major,
            minor: low.minor + 1,
            patch: 0,
            prerelease: [],
          },
      );
    case "^":
      return range(low, caretCeiling(bound));
  }
  throw new UsageError(`improper constraint: ${operator}`);
}

const TERM = /^(!=|>=|=>|<=|=<|~>|[=<>~^]?)\s*(\S+)$/;

/** A compiled constraint: test versions with {@linkcode SemVerRange.test}. */
export interface SemVerRange {
  /** Whether a version satisfies the constraint. */
  test(version: SemVer): boolean;
}

/**
 * Compiles a constraint such as `>= 1.2, < 2 || ^3.1`.
 *
 * @example
 * ```ts
 * import { parseSemVer, parseSemVerRange } from "./semver.ts";
 * const range = parseSemVerRange("~1.2");
 * console.assert(range.test(parseSemVer("1.2.9")!));
 * ```
 *
 * @param text The constraint.
 * @returns The compiled range.
 * @throws {UsageError} When the constraint does not parse.
 */
export function parseSemVerRange(text: string): SemVerRange {
  const groups = text.split("||").map((group) => {
    const trimmed = group.trim();
    if (trimmed === "") throw new UsageError(`improper constraint: ${text}`);
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(trimmed);
    if (hyphen) {
      const from = single(">=", parseBound(hyphen[1]!, text));
      const to = single("<=", parseBound(hyphen[2]!, text));
      const pre = parseBound(hyphen[1]!, text).version.prerelease.length > 0 ||
        parseBound(hyphen[2]!, text).version.prerelease.length > 0;
      return { checks: [from, to], pre };
    }
    // Join operators to their versions (`>= 1.2` → `>=1.2`), then split.
    const terms = trimmed.replace(/(!=|>=|=>|<=|=<|~>|[=<>~^])\s+/g, "$1")
      .split(/[\s,]+/).filter((t) => t !== "");
    let pre = false;
    const checks = terms.map((term) => {
      const match = TERM.exec(term);
      if (!match) throw new UsageError(`improper constraint: ${text}`);
      const bound = parseBound(match[2]!, text);
      if (bound.version.prerelease.length > 0) pre = true;
      return single(match[1]!, bound);
    });
    return { checks, pre };
  });
  return {
    test(version: SemVer): boolean {
      return groups.some(({ checks, pre }) =>
        (version.prerelease.length === 0 || pre) &&
        checks.every((check) => check(version))
      );
    },
  };
}

/**
 * Keeps the tags that are versions within a constraint, in their order.
 *
 * @param tags Repository tags.
 * @param constraint A range such as `>=1.2 <2`.
 * @returns The matching tags.
 */
export function filterTagsBySemVer(
  tags: readonly string[],
  constraint: string,
): string[] {
  const range = parseSemVerRange(constraint);
  return tags.filter((tag) => {
    const version = parseSemVer(tag);
    return version !== undefined && range.test(version);
  });
}
