/**
 * Registry failures: OCI/distribution error bodies
 * (`{"errors":[{"code","message","detail"}]}`) mapped to one-line messages
 * worded like skopeo's, and the error classes the docker transport throws.
 * Error-code meanings live here and nowhere else.
 *
 * @module
 */

/** One entry of a registry's error body. */
export interface RegistryDiagnostic {
  /** The code as sent, e.g. `MANIFEST_UNKNOWN`. */
  code: string;
  /** The registry's message (the code's default when it sent none). */
  message: string;
  /** Free-form detail. */
  detail?: unknown;
}

/** The codes of the distribution spec with their default messages. */
const KNOWN_CODES: Readonly<Record<string, string>> = {
  UNKNOWN: "unknown error",
  UNSUPPORTED: "The operation is unsupported.",
  UNAUTHORIZED: "authentication required",
  DENIED: "requested access to the resource is denied",
  UNAVAILABLE: "service unavailable",
  TOOMANYREQUESTS: "too many requests",
  DIGEST_INVALID: "provided digest did not match uploaded content",
  SIZE_INVALID: "provided length did not match content length",
  NAME_INVALID: "invalid repository name",
  TAG_INVALID: "manifest tag did not match URI",
  NAME_UNKNOWN: "repository name not known to registry",
  MANIFEST_UNKNOWN: "manifest unknown",
  MANIFEST_INVALID: "manifest invalid",
  MANIFEST_UNVERIFIED: "manifest failed signature verification",
  MANIFEST_BLOB_UNKNOWN: "blob unknown to registry",
  BLOB_UNKNOWN: "blob unknown to registry",
  BLOB_UPLOAD_UNKNOWN: "blob upload unknown to registry",
  BLOB_UPLOAD_INVALID: "blob upload invalid",
  PAGINATION_NUMBER_INVALID: "invalid number of results requested",
  RANGE_INVALID: "invalid content range",
};

const TEMPORARY_CODES = new Set(["UNAVAILABLE", "TOOMANYREQUESTS"]);
const SAFE_QUERY_KEYS = new Set([
  "n",
  "last",
  "digest",
  "mount",
  "from",
  "service",
  "scope",
]);

/** What a {@linkcode RegistryError} is built from. */
export interface RegistryErrorInit {
  /** HTTP status (0 when no response arrived). */
  status: number;
  /** HTTP method. */
  method: string;
  /** The request URL; redacted before it is stored. */
  url: string;
  /** Entries of the error body. */
  diagnostics?: readonly RegistryDiagnostic[] | undefined;
  /** The whole one-line message. */
  message: string;
  /** Whether retrying later may succeed; default from status and codes. */
  temporary?: boolean | undefined;
  /** The underlying error. */
  cause?: unknown;
}

/** A registry answered with an error. */
export class RegistryError extends Error {
  /** HTTP status (0 when no response arrived). */
  readonly status: number;
  /** HTTP method. */
  readonly method: string;
  /** The request URL without credentials or secret query values. */
  readonly url: string;
  /** Entries of the error body. */
  readonly diagnostics: readonly RegistryDiagnostic[];
  /** Whether retrying later may succeed (429, 502–504, UNAVAILABLE…). */
  readonly temporary: boolean;
  /** @param init Status, request and message. */
  constructor(init: RegistryErrorInit) {
    super(
      init.message,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.name = "RegistryError";
    this.status = init.status;
    this.method = init.method;
    this.url = redactUrl(init.url);
    this.diagnostics = init.diagnostics ?? [];
    this.temporary = init.temporary ??
      (init.status === 429 || (init.status >= 502 && init.status <= 504) ||
        this.diagnostics.some((d) => TEMPORARY_CODES.has(d.code)));
  }
}

/** The registry refused the credentials (or their absence): HTTP 401. */
export class UnauthorizedError extends RegistryError {
  /** @param init Status, request and message. */
  constructor(init: RegistryErrorInit) {
    super(init);
    this.name = "UnauthorizedError";
  }
}

/** The registry asks to slow down: HTTP 429, after the retries ran out. */
export class TooManyRequestsError extends RegistryError {
  /** @param init Status, request and message. */
  constructor(init: RegistryErrorInit) {
    super({ ...init, temporary: true });
    this.name = "TooManyRequestsError";
  }
}

/**
 * Removes credentials and secret query values from a URL for messages and
 * logs (`?_state=…` and signed redirect parameters become `REDACTED`).
 *
 * @param url The URL.
 * @returns The URL, safe to print.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\?.*$/, "?REDACTED");
  }
  parsed.username = "";
  parsed.password = "";
  for (const key of [...parsed.searchParams.keys()]) {
    if (!SAFE_QUERY_KEYS.has(key)) parsed.searchParams.set(key, "REDACTED");
  }
  return parsed.toString();
}

/**
 * Reads the error entries of a registry response body.
 *
 * @param body The body text.
 * @returns The entries, or undefined when the body is not an error body.
 */
export function parseErrorBody(body: string): RegistryDiagnostic[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  // Old registries: {"details": "..."}.
  if (typeof record.details === "string" && record.details !== "") {
    return [{ code: "", message: record.details }];
  }
  if (!Array.isArray(record.errors) || record.errors.length === 0) {
    return undefined;
  }
  return record.errors.map((entry): RegistryDiagnostic => {
    const e =
      (typeof entry === "object" && entry !== null ? entry : {}) as Record<
        string,
        unknown
      >;
    const code = typeof e.code === "string" ? e.code.toUpperCase() : "UNKNOWN";
    const message = typeof e.message === "string" && e.message !== ""
      ? e.message
      : KNOWN_CODES[code] ?? KNOWN_CODES.UNKNOWN!;
    return e.detail === undefined
      ? { code, message }
      : { code, message, detail: e.detail };
  });
}

/**
 * The words skopeo uses for a code: `MANIFEST_UNKNOWN` → `manifest unknown`;
 * codes unknown to distribution are `unknown`.
 */
function codeText(code: string): string {
  return code in KNOWN_CODES
    ? code.toLowerCase().replaceAll("_", " ")
    : "unknown";
}

/**
 * Describes diagnostics in one line: `manifest unknown: manifest unknown`.
 *
 * @param diagnostics The body's entries.
 * @returns One line; several entries are joined with `; `.
 */
export function describeDiagnostics(
  diagnostics: readonly RegistryDiagnostic[],
): string {
  return diagnostics.map((d) => `${codeText(d.code)}: ${d.message}`).join(
    "; ",
  );
}

/** A read error response: its status, entries and a one-line description. */
export interface ErrorResponse {
  /** HTTP status. */
  status: number;
  /** HTTP status text (`Not Found`). */
  statusText: string;
  /** Entries of the body, possibly from a bearer `error=` challenge. */
  diagnostics: RegistryDiagnostic[];
  /** The description skopeo's `registryHTTPResponseToError` would print. */
  description: string;
}

const MAX_ERROR_BODY = 64 * 1024;

async function readSome(response: Response): Promise<string> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_ERROR_BODY) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(all.subarray(0, MAX_ERROR_BODY));
}

/**
 * Reads an error response (consuming its body) into diagnostics and the
 * one-line description distribution's client gives it.
 *
 * @param response A non-success response.
 * @returns Status, entries and description.
 */
export async function readErrorResponse(
  response: Response,
): Promise<ErrorResponse> {
  const { status } = response;
  const statusText = response.statusText || STATUS_TEXT[status] || "";
  const body = await readSome(response);
  const diagnostics = parseErrorBody(body) ?? [];
  if (status >= 400 && status < 500) {
    // RFC 6750 errors in a bearer challenge come first.
    const header = response.headers.get("www-authenticate") ?? "";
    const { parseWwwAuthenticate } = await import("./www_authenticate.ts");
    for (const challenge of parseWwwAuthenticate(header)) {
      if (challenge.scheme !== "bearer") continue;
      const code = challenge.params.error === "invalid_token"
        ? "UNAUTHORIZED"
        : challenge.params.error === "insufficient_scope"
        ? "DENIED"
        : undefined;
      if (code === undefined) continue;
      diagnostics.unshift({
        code,
        message: challenge.params.error_description || KNOWN_CODES[code]!,
      });
      break;
    }
    if (diagnostics.length === 0) {
      if (status === 401) {
        diagnostics.push({
          code: "UNAUTHORIZED",
          message: KNOWN_CODES.UNAUTHORIZED!,
        });
      } else {
        const snippet = body.length > 50 ? `${body.slice(0, 50)}...` : body;
        return {
          status,
          statusText,
          diagnostics,
          description: `StatusCode: ${status}, ${snippet}`,
        };
      }
    }
  }
  const description = diagnostics.length > 0 && status >= 400 && status < 500
    ? describeDiagnostics(diagnostics)
    : `received unexpected HTTP status: ${status} ${statusText}`.trimEnd();
  return { status, statusText, diagnostics, description };
}

/** Where a failed request came from. */
export interface RequestDescription {
  /** HTTP method. */
  method: string;
  /** The request URL. */
  url: string;
  /** What was being done, prefixed to the message: `reading manifest latest in host/repo`. */
  context: string;
}

/**
 * Builds the error for a failed response the way skopeo's
 * `registryHTTPResponseToError` words it:
 * `reading manifest latest in host/repo: manifest unknown: manifest unknown`.
 *
 * @param response The failed response (its body is consumed).
 * @param request Method, URL and context.
 * @returns A {@linkcode RegistryError}, {@linkcode UnauthorizedError} or {@linkcode TooManyRequestsError}.
 */
export async function registryErrorFromResponse(
  response: Response,
  request: RequestDescription,
): Promise<RegistryError> {
  const read = await readErrorResponse(response);
  return makeError(read, request, `${request.context}: ${read.description}`);
}

/**
 * Builds the error for a failed response the way skopeo's
 * `httpResponseToError` words it: `fetching tags list: invalid status code
 * from registry 404 (Not Found)`, and for 401 `unable to retrieve auth
 * token: invalid username/password: unauthorized: authentication required`.
 *
 * @param response The failed response (its body is consumed).
 * @param request Method, URL and context.
 * @returns A {@linkcode RegistryError} or one of its subclasses.
 */
export async function statusErrorFromResponse(
  response: Response,
  request: RequestDescription,
): Promise<RegistryError> {
  const read = await readErrorResponse(response);
  let message: string;
  if (read.status === 401) {
    message =
      `unable to retrieve auth token: invalid username/password: ${read.description}`;
  } else if (read.status === 429) {
    message = "too many requests to registry";
  } else {
    message =
      `${request.context}: invalid status code from registry ${`${read.status} (${read.statusText})`}`;
  }
  return makeError(read, request, message);
}

function makeError(
  read: ErrorResponse,
  request: RequestDescription,
  message: string,
): RegistryError {
  const init: RegistryErrorInit = {
    status: read.status,
    method: request.method,
    url: request.url,
    diagnostics: read.diagnostics,
    message,
  };
  if (read.status === 401) return new UnauthorizedError(init);
  if (read.status === 429) return new TooManyRequestsError(init);
  return new RegistryError(init);
}

/**
 * Whether an error means the registry refused a manifest because of its
 * type or content (so another manifest format may be tried): 400 with
 * MANIFEST_INVALID/TAG_INVALID/NAME_INVALID/UNSUPPORTED codes, or 415.
 *
 * @param error Any error.
 * @returns True for a manifest-type rejection.
 */
export function isManifestRejection(error: unknown): boolean {
  if (!(error instanceof RegistryError)) return false;
  if (error.status === 415) return true;
  return error.diagnostics.some((d) =>
    d.code === "MANIFEST_INVALID" || d.code === "UNSUPPORTED" ||
    (error.status === 400 && d.code === "TAG_INVALID")
  );
}

/**
 * Whether an error means "no such manifest or repository" (404 with
 * MANIFEST_UNKNOWN/NAME_UNKNOWN, or a bare 404).
 *
 * @param error Any error.
 * @returns True for not-found.
 */
export function isNotFound(error: unknown): boolean {
  return error instanceof RegistryError && error.status === 404;
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Request Entity Too Large",
  415: "Unsupported Media Type",
  416: "Requested Range Not Satisfiable",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};
