/**
 * Sigstore keys and signatures, and registry signature storage, end to end:
 * `generate-sigstore-key`, `copy --sign-by-sigstore-private-key`,
 * `sigstoreSigned` policies, sigstore attachments on the real registry
 * (registries.d `use-sigstore-attachments`), and GPG signatures in
 * lookaside `file://` storage.
 *
 * The Debian build of skopeo 1.9.3 here has sigstore signing and
 * verification disabled ("Debian-local change: sigstore disabled"), so it
 * cannot check our sigstore signatures cryptographically; it still reads
 * and writes sigstore attachments and `dir:` signature files, which we
 * compare byte for byte, and it verifies our GPG lookaside signatures.
 */
import assert from "node:assert/strict";
import { decryptSigstorePrivateKey } from "../../core/signature/sigstore_key.ts";
import { componentTest } from "../support/components.ts";
import { startRegistry } from "../support/registry.ts";
import {
  fatalMessage,
  ourShellCommand,
  REPO_ROOT,
  runOurs,
  type RunResult,
  runSkopeo,
  succeeded,
} from "../support/skopeo.ts";
import { makeKeyring } from "../support/gpg.ts";
import { makeTempDir, type TempDir } from "../support/temp_dir.ts";

const DEMO = "oci:tests/fixtures/oci:demo";
const IDENTITY = "docker.io/library/busybox:latest";
const SECRET = "pass-secret-7f3a";

function neverShows(result: RunResult, secret: string): void {
  assert.ok(
    !(result.stdout + result.stderr).includes(secret),
    "the passphrase was printed",
  );
}

/** Makes PREFIX.private/.pub with our CLI, protected by SECRET. */
async function generateKey(tmp: TempDir, prefix: string): Promise<string> {
  const passphraseFile = tmp.join("passphrase");
  await Deno.writeTextFile(passphraseFile, `${SECRET}\nsecond line\n`);
  const path = tmp.join(prefix);
  const result = succeeded(
    await runOurs([
      "generate-sigstore-key",
      "--output-prefix",
      path,
      "--passphrase-file",
      passphraseFile,
    ]),
  );
  assert.equal(
    result.stdout,
    `Key written to "${path}.private" and "${path}.pub"`,
  );
  return path;
}

/** A `sigstoreSigned` policy for every transport, written to a file. */
async function sigstorePolicy(
  tmp: TempDir,
  name: string,
  requirement: Record<string, unknown>,
): Promise<string> {
  const path = tmp.join(name);
  const rule = [{ type: "sigstoreSigned", ...requirement }];
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      default: [{ type: "reject" }],
      transports: { dir: { "": rule }, docker: { "": rule } },
    }),
  );
  return path;
}

function policyCopy(policy: string, ...args: string[]): string[] {
  return ["--policy", policy, "copy", "-q", ...args];
}

componentTest({
  name:
    "generate-sigstore-key makes a key copy --sign-by-sigstore-private-key signs with, and sigstoreSigned judges",
  components: ["skopeo"],
  async fn() {
    await using tmp = await makeTempDir();
    const key = await generateKey(tmp, "k");
    assert.equal((await Deno.stat(`${key}.private`)).mode! & 0o777, 0o600);
    assert.equal((await Deno.stat(`${key}.pub`)).mode! & 0o777, 0o644);
    assert.match(
      await Deno.readTextFile(`${key}.private`),
      /^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/,
    );
    // Never overwritten; no prompt without a terminal.
    assert.equal(
      fatalMessage(
        await runOurs([
          "generate-sigstore-key",
          "--output-prefix",
          key,
          "--passphrase-file",
          tmp.join("passphrase"),
        ]),
      ),
      `Refusing to overwrite existing "${key}.pub"`,
    );
    assert.equal(
      fatalMessage(
        await runOurs([
          "generate-sigstore-key",
          "--output-prefix",
          tmp.join("q"),
        ]),
      ),
      `Cannot prompt for a passphrase for key ${
        tmp.join("q")
      }.private, standard input is not a TTY`,
    );
    await assert.rejects(Deno.stat(tmp.join("q.pub")), Deno.errors.NotFound);

    // Signing into dir:, with skopeo's progress lines; --debug prints no passphrase.
    const signed = await runOurs([
      "--debug",
      "copy",
      "--sign-by-sigstore-private-key",
      `${key}.private`,
      "--sign-passphrase-file",
      tmp.join("passphrase"),
      "--sign-identity",
      IDENTITY,
      DEMO,
      `dir:${tmp.join("signed")}`,
    ]);
    succeeded(signed);
    neverShows(signed, SECRET);
    assert.match(
      signed.stdout,
      /Writing manifest to image destination\nSigning manifest using a sigstore signature\nStoring signatures\n$/,
    );
    await Deno.writeTextFile(tmp.join("bad"), "wrong-passphrase-1\n");
    const wrong = await runOurs([
      "--debug",
      "copy",
      "--sign-by-sigstore-private-key",
      `${key}.private`,
      "--sign-passphrase-file",
      tmp.join("bad"),
      DEMO,
      `dir:${tmp.join("never")}`,
    ]);
    assert.equal(
      fatalMessage(wrong),
      "Error using --sign-by-sigstore-private-key: initializing private key: decrypt: encrypted: decryption failed",
    );
    neverShows(wrong, "wrong-passphrase-1");

    // skopeo carries our dir: signature unchanged.
    succeeded(
      await runSkopeo([
        "copy",
        "-q",
        `dir:${tmp.join("signed")}`,
        `dir:${tmp.join("by-skopeo")}`,
      ]),
    );
    const ours = await Deno.readFile(tmp.join("signed", "signature-1"));
    assert.deepEqual(
      await Deno.readFile(tmp.join("by-skopeo", "signature-1")),
      ours,
    );

    // The policy: accepted; refused for another key, identity, or tampering.
    const exact = { type: "exactReference", dockerReference: IDENTITY };
    const good = await sigstorePolicy(tmp, "good.json", {
      keyPath: `${key}.pub`,
      signedIdentity: exact,
    });
    const judge = (policy: string, dir: string) =>
      runOurs(
        policyCopy(policy, `dir:${tmp.join(dir)}`, `dir:${tmp.join("out")}`),
        {
          insecurePolicy: false,
        },
      );
    succeeded(await judge(good, "signed"));
    const other = await generateKey(tmp, "other");
    const otherKey = await sigstorePolicy(tmp, "other.json", {
      keyData: btoa(await Deno.readTextFile(`${other}.pub`)),
      signedIdentity: exact,
    });
    const crypto =
      "Source image rejected: cryptographic signature verification failed: invalid signature when validating ASN.1 encoded signature";
    assert.equal(fatalMessage(await judge(otherKey, "signed")), crypto);
    const otherIdentity = await sigstorePolicy(tmp, "identity.json", {
      keyPath: `${key}.pub`,
      signedIdentity: {
        type: "exactReference",
        dockerReference: "docker.io/library/busybox:other",
      },
    });
    assert.equal(
      fatalMessage(await judge(otherIdentity, "signed")),
      `Source image rejected: Signature for identity ${IDENTITY} is not accepted`,
    );
    // Tamper with the payload (point it at another image): the signature no longer matches.
    const text = new TextDecoder().decode(ours);
    const json = JSON.parse(text.slice(text.indexOf("\n") + 1));
    json.payload = btoa(
      atob(json.payload).replace("busybox:latest", "busybox:evil00"),
    );
    await Deno.mkdir(tmp.join("tampered"));
    for await (const entry of Deno.readDir(tmp.join("signed"))) {
      await Deno.copyFile(
        tmp.join("signed", entry.name),
        tmp.join("tampered", entry.name),
      );
    }
    await Deno.writeTextFile(
      tmp.join("tampered", "signature-1"),
      `\0sigstore-json\n${JSON.stringify(json)}`,
    );
    assert.equal(fatalMessage(await judge(good, "tampered")), crypto);
    succeeded(await runOurs(["copy", "-q", DEMO, `dir:${tmp.join("plain")}`]));
    assert.equal(
      fatalMessage(await judge(good, "plain")),
      "Source image rejected: A signature was required, but no signature exists",
    );
  },
});

componentTest({
  name:
    "sigstore attachments: byte-identical to skopeo's, read both ways, and judged through the registry",
  components: ["skopeo", "docker-registry"],
  async fn() {
    await using tmp = await makeTempDir();
    await using registry = await startRegistry();
    const key = await generateKey(tmp, "k");
    const registriesD = tmp.join("registries.d");
    await Deno.mkdir(registriesD);
    await Deno.writeTextFile(
      `${registriesD}/default.yaml`,
      `default-docker:\n  use-sigstore-attachments: true\n  lookaside: file://${
        tmp.join("look")
      }\n`,
    );
    const off = tmp.join("off.d");
    await Deno.mkdir(off);
    await Deno.writeTextFile(
      `${off}/default.yaml`,
      `default-docker:\n  lookaside: file://${tmp.join("look")}\n`,
    );
    const repo = (name: string) => `docker://${registry.host}/sig/${name}:v1`;
    const common = ["--registries.d", registriesD];
    const sign = [
      "--sign-by-sigstore-private-key",
      `${key}.private`,
      "--sign-passphrase-file",
      tmp.join("passphrase"),
    ];
    succeeded(
      await runOurs([
        ...common,
        "copy",
        "-q",
        "--dest-tls-verify=false",
        ...sign,
        DEMO,
        repo("ours"),
      ]),
    );
    assert.equal(
      fatalMessage(
        await runOurs([
          "--registries.d",
          off,
          "copy",
          "-q",
          "--dest-tls-verify=false",
          ...sign,
          DEMO,
          repo("disabled"),
        ]),
      ),
      "writing signatures: writing sigstore attachments is disabled by configuration",
    );
    // skopeo reads our attachment; it writes the same one from that signature.
    for (
      const [run, dir] of [[runSkopeo, "theirs-dir"], [
        runOurs,
        "ours-dir",
      ]] as const
    ) {
      succeeded(
        await run([
          ...common,
          "copy",
          "-q",
          "--src-tls-verify=false",
          repo("ours"),
          `dir:${tmp.join(dir)}`,
        ]),
      );
    }
    const signature = await Deno.readFile(tmp.join("ours-dir", "signature-1"));
    assert.deepEqual(
      await Deno.readFile(tmp.join("theirs-dir", "signature-1")),
      signature,
    );
    succeeded(
      await runSkopeo([
        ...common,
        "copy",
        "-q",
        "--dest-tls-verify=false",
        `dir:${tmp.join("theirs-dir")}`,
        repo("theirs"),
      ]),
    );
    const manifest = await Deno.readFile(tmp.join("ours-dir", "manifest.json"));
    const hex = [
      ...new Uint8Array(await crypto.subtle.digest("SHA-256", manifest)),
    ]
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    const attachment = async (name: string) => {
      const response = await fetch(
        `${registry.url}/v2/sig/${name}/manifests/sha256-${hex}.sig`,
        { headers: { Accept: "application/vnd.oci.image.manifest.v1+json" } },
      );
      assert.equal(response.status, 200);
      return new Uint8Array(await response.arrayBuffer());
    };
    const ourAttachment = await attachment("ours");
    assert.deepEqual(ourAttachment, await attachment("theirs"));
    const layers = JSON.parse(new TextDecoder().decode(ourAttachment)).layers;
    assert.equal(layers.length, 1);
    assert.equal(
      layers[0].mediaType,
      "application/vnd.dev.cosign.simplesigning.v1+json",
    );
    assert.ok(layers[0].annotations["dev.cosignproject.cosign/signature"]);

    // A second signature is appended to the attachment.
    succeeded(
      await runOurs([
        ...common,
        "copy",
        "-q",
        "--dest-tls-verify=false",
        ...sign,
        DEMO,
        repo("ours"),
      ]),
    );
    assert.equal(
      JSON.parse(new TextDecoder().decode(await attachment("ours"))).layers
        .length,
      2,
    );

    // Policies through the registry: our signatures, skopeo's attachments, unsigned.
    const policy = await sigstorePolicy(tmp, "p.json", {
      keyPath: `${key}.pub`,
      signedIdentity: {
        type: "exactRepository",
        dockerRepository: `${registry.host}/sig/ours`,
      },
    });
    const judge = (name: string) =>
      runOurs(
        [
          ...common,
          ...policyCopy(
            policy,
            "--src-tls-verify=false",
            repo(name),
            `dir:${tmp.join(`judged-${name}`)}`,
          ),
        ],
        { insecurePolicy: false },
      );
    succeeded(await judge("ours"));
    succeeded(await judge("theirs"));
    succeeded(
      await runOurs([
        "copy",
        "-q",
        "--dest-tls-verify=false",
        DEMO,
        repo("plain"),
      ]),
    );
    assert.equal(
      fatalMessage(await judge("plain")),
      "Source image rejected: A signature was required, but no signature exists",
    );
  },
});

componentTest({
  name:
    "GPG signatures in lookaside file:// storage: ours verified by skopeo, skopeo's by us, unsigned refused by both",
  components: ["skopeo", "docker-registry", "gpg"],
  async fn() {
    await using tmp = await makeTempDir();
    await using registry = await startRegistry();
    await using key = await makeKeyring(tmp, "signer", {
      algorithm: "ed25519",
    });
    const env = { GNUPGHOME: key.home };
    const registriesD = tmp.join("registries.d");
    await Deno.mkdir(registriesD);
    await Deno.writeTextFile(
      `${registriesD}/a.yaml`,
      `docker:\n  ${registry.host}/gpg:\n    lookaside: file://${
        tmp.join("look")
      }\n    lookaside-staging: file://${tmp.join("look")}\n`,
    );
    const common = ["--registries.d", registriesD];
    const repo = (name: string) => `docker://${registry.host}/gpg/${name}:v1`;
    const signTo = (run: typeof runOurs, name: string) =>
      run([
        ...common,
        "copy",
        "-q",
        "--dest-tls-verify=false",
        "--sign-by",
        key.fingerprint,
        DEMO,
        repo(name),
      ], {
        env,
      });
    succeeded(await signTo(runOurs, "ours"));
    succeeded(await signTo(runSkopeo, "theirs"));
    succeeded(
      await runOurs([
        "copy",
        "-q",
        "--dest-tls-verify=false",
        DEMO,
        repo("plain"),
      ]),
    );
    const stored: string[] = [];
    for await (const entry of Deno.readDir(tmp.join("look", "gpg"))) {
      stored.push(entry.name);
    }
    assert.deepEqual(stored.map((n) => n.replace(/=.*/, "")).sort(), [
      "ours@sha256",
      "theirs@sha256",
    ]);

    const policy = tmp.join("policy.json");
    await Deno.writeTextFile(
      policy,
      JSON.stringify({
        default: [{ type: "reject" }],
        transports: {
          docker: {
            [`${registry.host}/gpg`]: [{
              type: "signedBy",
              keyType: "GPGKeys",
              keyPath: key.publicKeyPath,
            }],
          },
        },
      }),
    );
    const judge = (run: typeof runOurs, name: string, out: string) =>
      run([
        ...common,
        ...policyCopy(
          policy,
          "--src-tls-verify=false",
          repo(name),
          `dir:${tmp.join(out)}`,
        ),
      ], {
        insecurePolicy: false,
      });
    for (
      const [run, who] of [[runOurs, "us"], [runSkopeo, "skopeo"]] as const
    ) {
      succeeded(await judge(run, "ours", `${who}-ours`));
      succeeded(await judge(run, "theirs", `${who}-theirs`));
    }
    assert.equal(
      fatalMessage(await judge(runOurs, "plain", "x")),
      fatalMessage(await judge(runSkopeo, "plain", "y")),
    );
    // delete removes the lookaside signatures too, as skopeo's does.
    for (
      const [run, name] of [[runOurs, "ours"], [runSkopeo, "theirs"]] as const
    ) {
      succeeded(
        await run([...common, "delete", "--tls-verify=false", repo(name)]),
      );
    }
    for await (const entry of Deno.readDir(tmp.join("look", "gpg"))) {
      const left = [...Deno.readDirSync(tmp.join("look", "gpg", entry.name))];
      assert.deepEqual(left, [], `signatures left in ${entry.name}`);
    }
    // Signing into oci: fails as skopeo's does.
    const toOci = (run: typeof runOurs, dir: string) =>
      run([
        "copy",
        "-q",
        "--sign-by",
        key.fingerprint,
        "--sign-identity",
        IDENTITY,
        DEMO,
        `oci:${tmp.join(dir)}:t`,
      ], {
        env,
      });
    assert.equal(
      fatalMessage(await toOci(runOurs, "o1")),
      fatalMessage(await toOci(runSkopeo, "o2")),
    );
  },
});

componentTest({
  name:
    "generate-sigstore-key prompts on a terminal without echoing the passphrase",
  components: ["script"],
  async fn() {
    await using tmp = await makeTempDir();
    const prefix = tmp.join("tty");
    const command = ourShellCommand([
      "generate-sigstore-key",
      "--output-prefix",
      prefix,
    ]);
    const child = new Deno.Command("script", {
      args: ["-qfec", command, "/dev/null"],
      cwd: REPO_ROOT,
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = child.stderr.text();
    const reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    let output = "";
    const writer = child.stdin.getWriter();
    const timer = setTimeout(() => child.kill(), 30_000);
    try {
      // Type only once the prompt (and the no-echo mode) is up.
      while (!output.includes("Passphrase for key")) {
        const { value, done } = await reader.read();
        if (done) break;
        output += value;
      }
      assert.match(
        output,
        new RegExp(`Passphrase for key ${prefix}\\.private: `),
      );
      await writer.write(new TextEncoder().encode(`tty-${SECRET}\r`));
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        output += value;
      }
      await writer.close().catch(() => {});
      const status = await child.status;
      assert.equal(status.code, 0, output + await stderr);
    } finally {
      clearTimeout(timer);
    }
    assert.ok(!output.includes(SECRET), `echoed: ${output}`);
    assert.match(output, /Key written to ".*tty\.private" and ".*tty\.pub"/);
    const key = decryptSigstorePrivateKey(
      await Deno.readTextFile(`${prefix}.private`),
      `tty-${SECRET}`,
    );
    assert.equal(key.asymmetricKeyType, "ec");
  },
});
