/**
 * A private Docker engine for tests: Debian's `dockerd` on a unix socket in
 * a temporary directory, with the vfs storage driver and no networking
 * (no iptables, no bridge), so it needs no images, no network and leaves
 * the host's engine alone. Stopped by PID; its folders are removed once it
 * has exited (and its data-root bind mount is gone).
 *
 * @module
 */
import { hasCommand } from "./components.ts";

/** The Docker CLI matching Debian's dockerd (a newer one may be first on PATH). */
export const DOCKER_CLI: string = (() => {
  try {
    return Deno.statSync("/usr/bin/docker").isFile
      ? "/usr/bin/docker"
      : "docker";
  } catch {
    return "docker";
  }
})();

/** Why dockerd could not start. */
export class DockerdUnavailableError extends Error {
  /**
   * True when the machine forbids it (not root, no mount or namespace
   * rights): tests skip. False when it is missing or broken: tests fail.
   */
  readonly forbidden: boolean;
  /**
   * @param message What happened, with the log's last lines.
   * @param forbidden Whether the machine forbids running it.
   */
  constructor(message: string, forbidden: boolean) {
    super(message);
    this.name = "DockerdUnavailableError";
    this.forbidden = forbidden;
  }
}

/** A running private engine. */
export interface Dockerd extends AsyncDisposable {
  /** `unix:///tmp/…/d.sock`: what `--daemon-host` takes. */
  readonly host: string;
  /** The engine's PID. */
  readonly pid: number;
  /** A folder for the test's own files, removed with the engine. */
  readonly workDir: string;
  /** With `tls`: `tcp://127.0.0.1:PORT`, TLS with client certificates. */
  readonly tcpHost?: string | undefined;
  /** With `tls`: `ca.pem`, `cert.pem`, `key.pem` for `--cert-dir`. */
  readonly clientCertDir?: string | undefined;
  /** Runs the Docker CLI against this engine; returns stdout, throws on failure. */
  docker(args: readonly string[]): Promise<string>;
  /** Stops the engine, waits for it to exit, removes its folders. */
  stop(): Promise<void>;
}

/** Patterns of dockerd failures that mean "this machine does not allow it". */
const FORBIDDEN =
  /operation not permitted|permission denied|must be run as root|EPERM/i;

/**
 * Why this machine cannot run dockerd, when it cannot tell without trying:
 * `undefined` when it might. A missing executable is not a reason here (the
 * component check reports it, and CI fails on it).
 */
export function dockerdForbiddenReason(): string | undefined {
  if (Deno.build.os !== "linux") {
    return `dockerd needs Linux, not ${Deno.build.os}`;
  }
  if (Deno.uid() !== 0) {
    return `dockerd needs root (uid 0) to mount its data-root; running as uid ${Deno.uid()}`;
  }
  return undefined;
}

/**
 * Starts dockerd and waits (at most `timeoutMs`) until it answers `/_ping`.
 *
 * @throws {DockerdUnavailableError} When it exits or never answers.
 */
export async function startDockerd(
  options: { timeoutMs?: number; tls?: boolean } = {},
): Promise<Dockerd> {
  const reason = dockerdForbiddenReason();
  if (reason) throw new DockerdUnavailableError(reason, true);
  if (!hasCommand("dockerd")) {
    throw new DockerdUnavailableError("dockerd is not on PATH", false);
  }
  // Short path: unix socket paths are limited to 108 bytes.
  const dir = await Deno.makeTempDir({ dir: "/tmp", prefix: "dockerd-" });
  const socket = `${dir}/d.sock`;
  const log = `${dir}/dockerd.log`;
  const workDir = `${dir}/work`;
  await Deno.mkdir(workDir);
  const args = [
    "--storage-driver=vfs",
    "--iptables=false",
    "--ip6tables=false",
    "--bridge=none",
    "-H",
    `unix://${socket}`,
    "--data-root",
    `${dir}/data`,
    "--exec-root",
    `${dir}/exec`,
    "--pidfile",
    `${dir}/d.pid`,
  ];
  let tcpHost: string | undefined;
  let clientCertDir: string | undefined;
  if (options.tls) {
    clientCertDir = `${dir}/client`;
    await makeTlsFiles(`${dir}/pki`, clientCertDir);
    tcpHost = `tcp://127.0.0.1:${freePort()}`;
    args.push(
      "-H",
      tcpHost,
      "--tlsverify",
      `--tlscacert=${dir}/pki/ca.pem`,
      `--tlscert=${dir}/pki/server.pem`,
      `--tlskey=${dir}/pki/server-key.pem`,
    );
  }
  // exec keeps the PID dockerd's; the log goes to a file nobody must drain.
  const child = new Deno.Command("sh", {
    args: ["-c", `exec dockerd "$@" >"${log}" 2>&1`, "sh", ...args],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const client = Deno.createHttpClient({
    proxy: { transport: "unix", path: socket },
  });
  const stop = async (): Promise<void> => {
    if (!exited) {
      try {
        Deno.kill(child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        if (!exited) Deno.kill(child.pid, "SIGKILL");
      }, 20_000);
      await status;
      clearTimeout(timer);
    }
    client.close();
    await unmountLeftovers(dir);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (exited) break;
    try {
      const response = await fetch("http://docker/_ping", { client });
      await response.body?.cancel();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (exited || Date.now() > deadline) {
    const tail = (await Deno.readTextFile(log).catch(() => ""))
      .trim().split("\n").slice(-5).join("\n");
    const what = exited
      ? `dockerd exited with code ${(await status).code}`
      : "dockerd did not answer in time";
    await stop();
    throw new DockerdUnavailableError(
      `${what}:\n${tail}`,
      FORBIDDEN.test(tail),
    );
  }
  const host = `unix://${socket}`;
  return {
    host,
    pid: child.pid,
    workDir,
    tcpHost,
    clientCertDir,
    async docker(cliArgs: readonly string[]): Promise<string> {
      const out = await new Deno.Command(DOCKER_CLI, {
        args: ["-H", host, ...cliArgs],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        env: { DOCKER_CONFIG: `${dir}/docker-config` },
      }).output();
      const decoder = new TextDecoder();
      if (!out.success) {
        throw new Error(
          `docker ${cliArgs.join(" ")}: ${decoder.decode(out.stderr)}`,
        );
      }
      return decoder.decode(out.stdout);
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** Unmounts whatever dockerd left mounted under `dir` (deepest first). */
async function unmountLeftovers(dir: string): Promise<void> {
  const mounts =
    (await Deno.readTextFile("/proc/self/mountinfo").catch(() => ""))
      .split("\n")
      .map((line) => line.split(" ")[4] ?? "")
      .filter((point) => point === dir || point.startsWith(`${dir}/`))
      .sort((a, b) => b.length - a.length);
  for (const point of mounts) {
    await new Deno.Command("umount", { args: ["-l", point] }).output()
      .catch(() => {});
  }
}

/** A loopback port nobody listens on right now. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * A P-256 CA, a server pair for 127.0.0.1 (in `pki`) and a client pair
 * laid out as docker's cert directories are (`ca.pem`, `cert.pem`,
 * `key.pem` in `client`).
 */
async function makeTlsFiles(pki: string, client: string): Promise<void> {
  await Deno.mkdir(pki);
  await Deno.mkdir(client);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
  const openssl = async (args: string[]): Promise<void> => {
    const out = await new Deno.Command("openssl", {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(
        `openssl ${args[0]}: ${new TextDecoder().decode(out.stderr)}`,
      );
    }
  };
  await openssl([
    "req",
    "-x509",
    ...ec,
    "-nodes",
    "-days",
    "2",
    "-keyout",
    `${pki}/ca-key.pem`,
    "-out",
    `${pki}/ca.pem`,
    "-subj",
    "/CN=dockerd test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  const issue = async (
    key: string,
    cert: string,
    extensions: string,
  ): Promise<void> => {
    await openssl([
      "req",
      ...ec,
      "-nodes",
      "-keyout",
      key,
      "-out",
      `${cert}.csr`,
      "-subj",
      "/CN=dockerd-test",
    ]);
    await Deno.writeTextFile(`${cert}.ext`, extensions);
    await openssl([
      "x509",
      "-req",
      "-in",
      `${cert}.csr`,
      "-CA",
      `${pki}/ca.pem`,
      "-CAkey",
      `${pki}/ca-key.pem`,
      "-CAcreateserial",
      "-out",
      cert,
      "-days",
      "2",
      "-extfile",
      `${cert}.ext`,
    ]);
  };
  await issue(
    `${pki}/server-key.pem`,
    `${pki}/server.pem`,
    "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
  );
  await issue(
    `${client}/key.pem`,
    `${pki}/client.pem`,
    "extendedKeyUsage=clientAuth\n",
  );
  await Deno.copyFile(`${pki}/client.pem`, `${client}/cert.pem`);
  await Deno.copyFile(`${pki}/ca.pem`, `${client}/ca.pem`);
}
