/**
 * Starts the REAL CNCF distribution registry (Debian's `docker-registry`) on
 * a free 127.0.0.1 port for tests: plain HTTP, htpasswd (bcrypt) Basic auth,
 * TLS with a CA made by openssl at test time (optionally requiring client
 * certificates), and Bearer token auth with a small token issuer served here
 * on loopback. Stopped by PID.
 *
 * @example Start a plain registry
 * ```ts ignore
 * await using registry = await startRegistry();
 * const res = await fetch(`${registry.url}/v2/`);
 * ```
 *
 * @module
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  randomUUID,
  sign,
} from "node:crypto";

/** How clients authenticate to the test registry. */
export type RegistryAuth = "none" | "htpasswd" | "token";

/** Options of {@linkcode startRegistry}. */
export interface StartRegistryOptions {
  /** Authentication scheme; default `none`. */
  auth?: RegistryAuth;
  /** Serve HTTPS with a test CA; default false. */
  tls?: boolean;
  /** With `tls`: require a client certificate signed by the test CA. */
  clientCerts?: boolean;
  /** User name for `htpasswd`/`token`; default `testuser`. */
  username?: string;
  /** Password for `htpasswd`/`token`; default `testpassword`. */
  password?: string;
  /** Token auth: whether anonymous clients get `pull` access; default false. */
  anonymousPull?: boolean;
  /** Token auth: the OAuth2 refresh token (`identitytoken`) accepted by POST; default `test-identity-token`. */
  identityToken?: string;
  /** Allow DELETE of manifests; default true. */
  deleteEnabled?: boolean;
  /** Accept and serve Docker schema1 manifests (signed anew on every GET). */
  schema1?: boolean;
}

/** One request the test token issuer answered. */
export interface TokenRequest {
  /** The `scope` parameters, in order. */
  scopes: string[];
  /** The `service` parameter. */
  service: string | null;
  /** The user that authenticated, or undefined for anonymous. */
  user: string | undefined;
  /** The HTTP status returned. */
  status: number;
  /** `GET` (Basic or anonymous) or `POST` (OAuth2 refresh token). */
  method: string;
}

/** A running test registry. */
export interface RunningRegistry extends AsyncDisposable {
  /** `127.0.0.1:PORT`, as used in image references. */
  host: string;
  /** `http://127.0.0.1:PORT` or `https://…`. */
  url: string;
  /** The registry's storage root. */
  dataDir: string;
  /** With `tls`: a directory holding `ca.crt` (and `client.cert`/`client.key` with `clientCerts`). */
  certDir?: string;
  /** The CA certificate (PEM), with `tls`. */
  caCert?: string;
  /** User name, with `htpasswd`/`token`. */
  username?: string;
  /** Password, with `htpasswd`/`token`. */
  password?: string;
  /** Token endpoint URL, with `token`. */
  tokenRealm?: string;
  /** Requests the token issuer answered, with `token`. */
  tokenRequests: TokenRequest[];
  /** The registry process id. */
  pid: number;
  /** Stops the registry (SIGTERM by PID) and the token issuer, removes files. */
  stop(): Promise<void>;
}

const TOKEN_SERVICE = "test-registry";
const TOKEN_ISSUER = "test-issuer";

/**
 * Starts `docker-registry serve` with a generated configuration and waits
 * until `GET /v2/` answers.
 *
 * @param options Variant and credentials.
 * @returns The running registry; dispose of it (or call `stop()`).
 */
export async function startRegistry(
  options: StartRegistryOptions = {},
): Promise<RunningRegistry> {
  const auth = options.auth ?? "none";
  const tls = options.tls ?? false;
  const username = options.username ?? "testuser";
  const password = options.password ?? "testpassword";
  const root = await Deno.makeTempDir({ prefix: "skopeo-ts-registry-" });
  const dataDir = `${root}/data`;
  await Deno.mkdir(dataDir);
  const port = freePort();
  const host = `127.0.0.1:${port}`;
  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: "error", accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: dataDir },
      delete: { enabled: options.deleteEnabled ?? true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: { addr: host, secret: randomUUID() },
  };
  if (options.schema1) {
    config.compatibility = { schema1: { enabled: true } };
  }
  const httpConfig = config.http as Record<string, unknown>;
  let certDir: string | undefined;
  let caCert: string | undefined;
  let tokenServer: Deno.HttpServer | undefined;
  let tokenRealm: string | undefined;
  const tokenRequests: TokenRequest[] = [];
  let child: Deno.ChildProcess | undefined;
  try {
    if (tls) {
      certDir = `${root}/certs`;
      await Deno.mkdir(certDir);
      const pki = await makePki(root, options.clientCerts ?? false);
      caCert = pki.caCert;
      await Deno.writeTextFile(`${certDir}/ca.crt`, pki.caCert);
      httpConfig.tls = {
        certificate: pki.serverCertPath,
        key: pki.serverKeyPath,
        ...(options.clientCerts ? { clientcas: [pki.caCertPath] } : {}),
      };
      if (pki.clientCert !== undefined && pki.clientKey !== undefined) {
        await Deno.writeTextFile(`${certDir}/client.cert`, pki.clientCert);
        await Deno.writeTextFile(`${certDir}/client.key`, pki.clientKey);
      }
    }
    if (auth === "htpasswd") {
      const path = `${root}/htpasswd`;
      await run("htpasswd", ["-Bbc", path, username, password]);
      config.auth = { htpasswd: { realm: "test", path } };
    } else if (auth === "token") {
      const signer = await makeTokenSigner(root);
      const issuer = serveTokenIssuer({
        signer,
        username,
        password,
        anonymousPull: options.anonymousPull ?? false,
        identityToken: options.identityToken ?? "test-identity-token",
        log: tokenRequests,
      });
      tokenServer = issuer.server;
      tokenRealm = issuer.realm;
      config.auth = {
        token: {
          realm: tokenRealm,
          service: TOKEN_SERVICE,
          issuer: TOKEN_ISSUER,
          rootcertbundle: signer.certPath,
        },
      };
    }
    const configPath = `${root}/config.yml`;
    // YAML is a superset of JSON; the registry reads this as it is.
    await Deno.writeTextFile(configPath, JSON.stringify(config, null, 2));
    const logPath = `${root}/registry.log`;
    // `exec` keeps the shell's PID, so the PID we hold is the registry's.
    child = new Deno.Command("sh", {
      args: [
        "-c",
        'exec docker-registry serve "$0" >"$1" 2>&1',
        configPath,
        logPath,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const url = `${tls ? "https" : "http"}://${host}`;
    const tlsClient = caCert === undefined ? undefined : {
      caCerts: [caCert],
      ...(certDir !== undefined && options.clientCerts
        ? {
          cert: await Deno.readTextFile(`${certDir}/client.cert`),
          key: await Deno.readTextFile(`${certDir}/client.key`),
        }
        : {}),
    };
    await waitUntilReady(url, child, logPath, tlsClient);
    const process = child;
    let stopped = false;
    const stop = async (): Promise<void> => {
      if (stopped) return;
      stopped = true;
      try {
        Deno.kill(process.pid, "SIGTERM");
      } catch {
        // already gone
      }
      await process.status;
      await tokenServer?.shutdown();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    };
    const running: RunningRegistry = {
      host,
      url,
      dataDir,
      tokenRequests,
      pid: process.pid,
      stop,
      [Symbol.asyncDispose]: stop,
    };
    if (certDir !== undefined) running.certDir = certDir;
    if (caCert !== undefined) running.caCert = caCert;
    if (auth !== "none") {
      running.username = username;
      running.password = password;
    }
    if (tokenRealm !== undefined) running.tokenRealm = tokenRealm;
    return running;
  } catch (error) {
    if (child) {
      try {
        Deno.kill(child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      await child.status;
    }
    await tokenServer?.shutdown();
    await Deno.remove(root, { recursive: true }).catch(() => {});
    throw error;
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function waitUntilReady(
  url: string,
  child: Deno.ChildProcess,
  logPath: string,
  tlsClient: Deno.CreateHttpClientOptions | undefined,
): Promise<void> {
  const client = tlsClient === undefined
    ? undefined
    : Deno.createHttpClient(tlsClient);
  let exited = false;
  child.status.then(() => exited = true);
  try {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !exited) {
      try {
        const res = await fetch(`${url}/v2/`, client ? { client } : {});
        await res.body?.cancel();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    const log = await Deno.readTextFile(logPath).catch(() => "");
    throw new Error(
      `docker-registry did not start (${exited ? "exited" : "timed out"}): ${
        log.trim().slice(-2000)
      }`,
    );
  } finally {
    client?.close();
  }
}

async function run(command: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(command, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `${command} ${args.join(" ")} failed: ${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
  return new TextDecoder().decode(out.stdout);
}

interface Pki {
  caCert: string;
  caCertPath: string;
  serverCertPath: string;
  serverKeyPath: string;
  clientCert?: string;
  clientKey?: string;
}

/** A CA, a server certificate for 127.0.0.1/localhost and optionally a client pair, all P-256. */
async function makePki(dir: string, withClient: boolean): Promise<Pki> {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
  await run("openssl", [
    "req",
    "-x509",
    ...ec,
    "-nodes",
    "-keyout",
    `${dir}/ca.key`,
    "-out",
    `${dir}/ca.pem`,
    "-days",
    "2",
    "-subj",
    "/CN=skopeo-ts test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  const issue = async (
    name: string,
    subject: string,
    extensions: string,
  ): Promise<void> => {
    await run("openssl", [
      "req",
      ...ec,
      "-nodes",
      "-keyout",
      `${dir}/${name}.key`,
      "-out",
      `${dir}/${name}.csr`,
      "-subj",
      subject,
    ]);
    await Deno.writeTextFile(`${dir}/${name}.ext`, extensions);
    await run("openssl", [
      "x509",
      "-req",
      "-in",
      `${dir}/${name}.csr`,
      "-CA",
      `${dir}/ca.pem`,
      "-CAkey",
      `${dir}/ca.key`,
      "-CAcreateserial",
      "-out",
      `${dir}/${name}.pem`,
      "-days",
      "2",
      "-extfile",
      `${dir}/${name}.ext`,
    ]);
  };
  await issue(
    "server",
    "/CN=localhost",
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
  );
  const pki: Pki = {
    caCert: await Deno.readTextFile(`${dir}/ca.pem`),
    caCertPath: `${dir}/ca.pem`,
    serverCertPath: `${dir}/server.pem`,
    serverKeyPath: `${dir}/server.key`,
  };
  if (withClient) {
    await issue(
      "client",
      "/CN=skopeo-ts-client",
      "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
    );
    pki.clientCert = await Deno.readTextFile(`${dir}/client.pem`);
    pki.clientKey = await Deno.readTextFile(`${dir}/client.key`);
  }
  return pki;
}

interface TokenSigner {
  certPath: string;
  keyPem: string;
  keyId: string;
}

/** An ES256 key and its self-signed certificate (the registry's rootcertbundle). */
async function makeTokenSigner(dir: string): Promise<TokenSigner> {
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    `${dir}/token.key`,
    "-out",
    `${dir}/token.pem`,
    "-days",
    "2",
    "-subj",
    "/CN=skopeo-ts token signer",
  ]);
  const keyPem = await Deno.readTextFile(`${dir}/token.key`);
  const spki = createPublicKey(createPrivateKey(keyPem)).export({
    type: "spki",
    format: "der",
  });
  return { certPath: `${dir}/token.pem`, keyPem, keyId: libtrustKeyId(spki) };
}

/**
 * The key id distribution 2.x (libtrust) matches a JWT `kid` against: the
 * SHA-256 of the DER SubjectPublicKeyInfo, first 240 bits, base32 without
 * padding, in twelve colon-separated groups of four.
 */
function libtrustKeyId(spkiDer: Uint8Array): string {
  const hash = createHash("sha256").update(spkiDer).digest().subarray(0, 30);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of hash) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join(":");
}

function base64Url(data: Uint8Array | string): string {
  const bytes = typeof data === "string"
    ? new TextEncoder().encode(data)
    : data;
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(
    /=+$/,
    "",
  );
}

interface IssuerOptions {
  signer: TokenSigner;
  username: string;
  password: string;
  anonymousPull: boolean;
  identityToken: string;
  log: TokenRequest[];
}

/**
 * Serves the token endpoint on loopback: users authenticated by Basic (GET)
 * or by the OAuth2 refresh token (POST) get what they ask for.
 */
function serveTokenIssuer(
  options: IssuerOptions,
): { server: Deno.HttpServer; realm: string } {
  const key = createPrivateKey(options.signer.keyPem);
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, async (request) => {
    const url = new URL(request.url);
    const method = request.method;
    let params = url.searchParams;
    let user: string | undefined;
    if (method === "POST") {
      params = new URLSearchParams(await request.text());
      if (
        params.get("grant_type") !== "refresh_token" ||
        params.get("refresh_token") !== options.identityToken
      ) {
        options.log.push({
          scopes: params.getAll("scope"),
          service: params.get("service"),
          user: undefined,
          status: 401,
          method,
        });
        return Response.json({ error: "invalid_grant" }, { status: 401 });
      }
      user = options.username;
    }
    const scopes = params.getAll("scope");
    const service = params.get("service");
    const header = request.headers.get("authorization");
    if (header !== null && method !== "POST") {
      const match = /^Basic\s+(.+)$/i.exec(header);
      const decoded = match ? atob(match[1]!) : "";
      const colon = decoded.indexOf(":");
      if (
        colon < 0 || decoded.slice(0, colon) !== options.username ||
        decoded.slice(colon + 1) !== options.password
      ) {
        options.log.push({
          scopes,
          service,
          user: undefined,
          status: 401,
          method,
        });
        return Response.json({
          errors: [{
            code: "UNAUTHORIZED",
            message: "invalid username or password",
          }],
        }, { status: 401 });
      }
      user = options.username;
    }
    const access = scopes.flatMap((scope) => {
      const [type, ...rest] = scope.split(":");
      const actions = (rest.pop() ?? "").split(",").filter((a) => a !== "");
      const name = rest.join(":");
      const granted = user !== undefined
        ? actions
        : options.anonymousPull
        ? actions.filter((a) => a === "pull")
        : [];
      return granted.length > 0 ? [{ type, name, actions: granted }] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    const header64 = base64Url(JSON.stringify({
      typ: "JWT",
      alg: "ES256",
      kid: options.signer.keyId,
    }));
    const claims64 = base64Url(JSON.stringify({
      iss: TOKEN_ISSUER,
      sub: user ?? "",
      aud: service ?? TOKEN_SERVICE,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    }));
    const signature = sign(
      "sha256",
      new TextEncoder().encode(`${header64}.${claims64}`),
      {
        key,
        dsaEncoding: "ieee-p1363",
      },
    );
    const token = `${header64}.${claims64}.${base64Url(signature)}`;
    options.log.push({ scopes, service, user, status: 200, method });
    return Response.json({
      token,
      access_token: token,
      expires_in: 300,
      issued_at: new Date(now * 1000).toISOString(),
    });
  });
  const port = server.addr.port;
  return { server, realm: `http://127.0.0.1:${port}/token` };
}
