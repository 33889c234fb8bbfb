/**
 * Parser of `WWW-Authenticate` headers (RFC 7235): one or more challenges,
 * each a scheme followed by `key=value` parameters (tokens or quoted
 * strings with `\` escapes) or a token68. It never throws: malformed parts
 * are skipped, since a registry's odd header must not break anonymous pulls.
 *
 * @module
 */

/** One authentication challenge. */
export interface AuthChallenge {
  /** The scheme, lower-cased: `basic`, `bearer`. */
  scheme: string;
  /** Parameters with lower-cased names: `realm`, `service`, `scope`, `error`… */
  params: Record<string, string>;
  /** A token68 credential form, when given instead of parameters. */
  token68?: string;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_TAIL = /^[A-Za-z0-9\-._~+/]+=*[ \t]*(?:,|$)/;

/**
 * Parses one or several `WWW-Authenticate` header values.
 *
 * @example A registry's bearer challenge
 * ```ts
 * import { parseWwwAuthenticate } from "./www_authenticate.ts";
 * const [c] = parseWwwAuthenticate(
 *   'Bearer realm="https://auth.example/token",service="registry.example"',
 * );
 * console.assert(c?.scheme === "bearer" && c.params.service === "registry.example");
 * ```
 *
 * @param header The header value (several values may be joined with `,`).
 * @returns The challenges in order; empty when none could be read.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  let pos = 0;
  const length = header.length;
  const skipSpace = (): void => {
    while (pos < length && (header[pos] === " " || header[pos] === "\t")) pos++;
  };
  const readToken = (): string => {
    const start = pos;
    while (pos < length && TCHAR.test(header[pos]!)) pos++;
    return header.slice(start, pos);
  };
  const readQuoted = (): string => {
    // header[pos] is the opening quote.
    pos++;
    let value = "";
    while (pos < length && header[pos] !== '"') {
      if (header[pos] === "\\" && pos + 1 < length) pos++;
      value += header[pos];
      pos++;
    }
    pos++; // closing quote (or past the end)
    return value;
  };

  while (pos < length) {
    while (pos < length && /[ \t,]/.test(header[pos]!)) pos++;
    const scheme = readToken();
    if (scheme === "") {
      pos++; // not a token character: skip it
      continue;
    }
    const challenge: AuthChallenge = {
      scheme: scheme.toLowerCase(),
      params: {},
    };
    challenges.push(challenge);
    skipSpace();
    const token68 = TOKEN68_TAIL.exec(header.slice(pos));
    if (token68 !== null && !isParamAhead(header, pos)) {
      challenge.token68 = token68[0].replace(/[ \t,]*$/, "");
      pos += challenge.token68.length;
      continue;
    }
    // Parameters until something that is not `name = value`.
    while (pos < length) {
      skipSpace();
      while (pos < length && header[pos] === ",") {
        pos++;
        skipSpace();
      }
      if (!isParamAhead(header, pos)) break;
      const name = readToken().toLowerCase();
      skipSpace();
      pos++; // "="
      skipSpace();
      const value = header[pos] === '"' ? readQuoted() : readToken();
      if (!(name in challenge.params)) challenge.params[name] = value;
      skipSpace();
      if (pos < length && header[pos] !== ",") {
        // Garbage after a value: skip to the next comma.
        while (pos < length && header[pos] !== ",") pos++;
      }
    }
  }
  return challenges;
}

/** Whether `token BWS "="` (and not `==`, a token68 end) starts at `pos`. */
function isParamAhead(header: string, pos: number): boolean {
  let i = pos;
  while (i < header.length && TCHAR.test(header[i]!)) i++;
  if (i === pos) return false;
  while (i < header.length && (header[i] === " " || header[i] === "\t")) i++;
  if (header[i] !== "=") return false;
  // `abc==` or `abc=` at the end / before a comma is a token68.
  let j = i + 1;
  while (j < header.length && header[j] === "=") j++;
  const rest = header.slice(j).trimStart();
  return !(j > i + 1 || rest === "" || rest.startsWith(","));
}

/**
 * Formats challenges back into a header value (for tests and logs).
 *
 * @param challenges The challenges.
 * @returns A header value that parses back to the same challenges.
 */
export function formatWwwAuthenticate(
  challenges: readonly AuthChallenge[],
): string {
  return challenges.map((c) => {
    const scheme = c.scheme;
    if (c.token68 !== undefined) return `${scheme} ${c.token68}`;
    const params = Object.entries(c.params).map(([k, v]) =>
      `${k}="${v.replace(/["\\]/g, (m) => `\\${m}`)}"`
    );
    return params.length > 0 ? `${scheme} ${params.join(", ")}` : scheme;
  }).join(", ");
}
