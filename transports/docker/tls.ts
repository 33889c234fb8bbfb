/**
 * TLS material for a registry from a certificate directory, as
 * containers/image's `tlsclientconfig.SetupCertificates` reads it: `*.crt`
 * files are extra CAs (added to the system roots), `NAME.cert` + `NAME.key`
 * are a client certificate pair.
 *
 * @module
 */

/** CAs and a client certificate for one registry. */
export interface TlsMaterial {
  /** Extra CA certificates (PEM), trusted besides the system roots. */
  caCerts: string[];
  /** Client certificate chain (PEM). */
  cert?: string;
  /** Client private key (PEM). */
  key?: string;
  /** The directory it came from, for messages. */
  dir?: string;
}

/** Default per-host certificate roots, searched in order. */
export const DEFAULT_CERTS_ROOTS: readonly string[] = [
  "/etc/containers/certs.d",
  "/etc/docker/certs.d",
];

/** A certificate directory that cannot be used. */
export class CertificateDirectoryError extends Error {
  /**
   * @param message What is wrong, naming the files.
   * @param options Standard error options.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CertificateDirectoryError";
  }
}

/** Options of {@linkcode tlsMaterialForHost}. */
export interface TlsLookupOptions {
  /** `--cert-dir`: used instead of the per-host directories. */
  certDir?: string | undefined;
  /** Per-host roots; default {@linkcode DEFAULT_CERTS_ROOTS}. */
  certsRoots?: readonly string[] | undefined;
}

/**
 * Finds the certificate directory for a registry host (`--cert-dir`, else
 * the first existing `ROOT/HOST[:PORT]`) and reads it.
 *
 * @param host The registry as written in references (`docker.io`, `127.0.0.1:5000`).
 * @param options `--cert-dir` and the roots to search.
 * @returns The material; empty when there is no directory.
 * @throws {CertificateDirectoryError} For a client certificate without its key or the reverse.
 */
export async function tlsMaterialForHost(
  host: string,
  options: TlsLookupOptions = {},
): Promise<TlsMaterial> {
  if (options.certDir !== undefined && options.certDir !== "") {
    return await loadCertDir(options.certDir);
  }
  for (const root of options.certsRoots ?? DEFAULT_CERTS_ROOTS) {
    const dir = `${root}/${host}`;
    try {
      if ((await Deno.stat(dir)).isDirectory) return await loadCertDir(dir);
    } catch {
      // not there: try the next root
    }
  }
  return { caCerts: [] };
}

/**
 * Reads one certificate directory. A missing directory is empty.
 *
 * @param dir The directory.
 * @returns Its CAs and client pair.
 * @throws {CertificateDirectoryError} For an unpaired `.cert` or `.key`.
 */
export async function loadCertDir(dir: string): Promise<TlsMaterial> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { caCerts: [], dir };
    throw new CertificateDirectoryError(
      `reading certificate directory ${dir}: ${error}`,
      { cause: error },
    );
  }
  names.sort();
  const material: TlsMaterial = { caCerts: [], dir };
  for (const name of names) {
    const path = `${dir}/${name}`;
    if (name.endsWith(".crt")) {
      material.caCerts.push(await Deno.readTextFile(path));
    } else if (name.endsWith(".cert")) {
      const keyName = `${name.slice(0, -5)}.key`;
      if (!names.includes(keyName)) {
        throw new CertificateDirectoryError(
          `missing key ${keyName} for client certificate ${name}. Note that CA certificates should use the extension .crt`,
        );
      }
      // Deno's HTTP client takes one client pair: the first wins.
      if (material.cert === undefined) {
        material.cert = await Deno.readTextFile(path);
        material.key = await Deno.readTextFile(`${dir}/${keyName}`);
      }
    } else if (name.endsWith(".key")) {
      const certName = `${name.slice(0, -4)}.cert`;
      if (!names.includes(certName)) {
        throw new CertificateDirectoryError(
          `missing client certificate ${certName} for key ${name}`,
        );
      }
    }
  }
  return material;
}
