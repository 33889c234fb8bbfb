/**
 * Simple signing end to end, against skopeo 1.9.3 and gpg with keys made at
 * test time in a private GNUPGHOME: standalone-sign/verify both ways,
 * `copy --sign-by`, and `signedBy` policies (same messages as skopeo's).
 */
import assert from "node:assert/strict";
import { componentTest } from "../support/components.ts";
import {
  fatalMessage,
  runOurs,
  runSkopeo,
  succeeded,
} from "../support/skopeo.ts";
import { gpg, makeKeyring, stopAgent } from "../support/gpg.ts";
import { makeTempDir, type TempDir } from "../support/temp_dir.ts";

const DEMO = "oci:tests/fixtures/oci:demo";
const IDENTITY = "docker.io/library/busybox:latest";
const MANIFEST = new TextEncoder().encode(
  '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{},"layers":[]}',
);

componentTest({
  name:
    "standalone-sign: skopeo verifies ours and we verify skopeo's (Ed25519, RSA with passphrase)",
  components: ["skopeo", "gpg"],
  async fn() {
    await using tmp = await makeTempDir();
    await using ed = await makeKeyring(tmp, "ed", { algorithm: "ed25519" });
    await using rsa = await makeKeyring(tmp, "rsa", {
      algorithm: "rsa2048",
      passphrase: "pw",
    });
    await Deno.writeFile(tmp.join("m.json"), MANIFEST);
    await Deno.writeTextFile(tmp.join("pw"), "pw\n");
    const digest = (await runSkopeo(["manifest-digest", tmp.join("m.json")]))
      .stdout.trim();
    for (
      const [key, extra] of [[ed, []], [rsa, [
        "--passphrase-file",
        tmp.join("pw"),
      ]]] as const
    ) {
      const env = { GNUPGHOME: key.home };
      const sign = (run: typeof runOurs, out: string) =>
        run([
          "standalone-sign",
          ...extra,
          tmp.join("m.json"),
          IDENTITY,
          key.fingerprint,
          "-o",
          out,
        ], { env });
      const verify = (run: typeof runOurs, sig: string) =>
        run(
          [
            "standalone-verify",
            tmp.join("m.json"),
            "busybox:latest",
            key.fingerprint,
            sig,
          ],
          { env },
        );
      succeeded(await sign(runOurs, tmp.join("ours.sig")));
      succeeded(await sign(runSkopeo, tmp.join("theirs.sig")));
      for (const run of [runOurs, runSkopeo]) {
        for (const sig of ["ours.sig", "theirs.sig"]) {
          assert.equal(
            succeeded(await verify(run, tmp.join(sig))).stdout,
            `Signature verified, digest ${digest}\n`,
          );
        }
      }
      // gpg itself reads our payload, in containers/image's layout.
      const payload = JSON.parse(
        await gpg(key.home, ["--decrypt", tmp.join("ours.sig")]),
      );
      assert.deepEqual(payload.critical, {
        identity: { "docker-reference": IDENTITY },
        image: { "docker-manifest-digest": digest },
        type: "atomic container signature",
      });
      assert.equal(typeof payload.optional.timestamp, "number");
    }
    // A wrong passphrase fails, and no passphrase is printed (the agent
    // would otherwise answer from its cache).
    await stopAgent(rsa.home);
    await Deno.writeTextFile(tmp.join("bad"), "secret-wrong\n");
    const bad = await runOurs([
      "standalone-sign",
      "--passphrase-file",
      tmp.join("bad"),
      tmp.join("m.json"),
      IDENTITY,
      rsa.fingerprint,
      "-o",
      tmp.join("x.sig"),
    ], { env: { GNUPGHOME: rsa.home } });
    assert.match(fatalMessage(bad), /^Error creating signature: /);
    assert.doesNotMatch(bad.stderr + bad.stdout, /secret-wrong/);
  },
});

componentTest({
  name: "standalone-verify refuses what skopeo refuses, with skopeo's messages",
  components: ["skopeo", "gpg"],
  async fn() {
    await using tmp = await makeTempDir();
    await using key = await makeKeyring(tmp, "k", { algorithm: "ed25519" });
    const env = { GNUPGHOME: key.home };
    await Deno.writeFile(tmp.join("m.json"), MANIFEST);
    await Deno.writeTextFile(tmp.join("other.json"), "{}");
    succeeded(
      await runSkopeo([
        "standalone-sign",
        tmp.join("m.json"),
        IDENTITY,
        key.fingerprint,
        "-o",
        tmp.join("s.sig"),
      ], { env }),
    );
    const cases: string[][] = [
      ["m.json", "busybox:other", key.fingerprint, "s.sig"],
      ["m.json", "busybox", key.fingerprint, "s.sig"],
      ["m.json", IDENTITY, "0123ABCD", "s.sig"],
      ["other.json", "busybox:other", key.fingerprint, "s.sig"],
      ["m.json", "Busybox", key.fingerprint, "s.sig"],
      ["missing.json", IDENTITY, key.fingerprint, "s.sig"],
      ["m.json", IDENTITY, key.fingerprint, "missing.sig"],
      ["m.json", IDENTITY, key.fingerprint],
    ];
    for (const [manifest, ...rest] of cases) {
      const args = [
        "standalone-verify",
        tmp.join(manifest!),
        ...rest.map((a) => a.endsWith(".sig") ? tmp.join(a) : a),
      ];
      assert.equal(
        fatalMessage(await runOurs(args, { env })),
        fatalMessage(await runSkopeo(args, { env })),
        args.join(" "),
      );
    }
    // A tampered signature: both refuse it as an invalid GPG signature.
    const bytes = await Deno.readFile(tmp.join("s.sig"));
    bytes[bytes.length >> 1]! ^= 1;
    await Deno.writeFile(tmp.join("t.sig"), bytes);
    const args = [
      "standalone-verify",
      tmp.join("m.json"),
      IDENTITY,
      key.fingerprint,
      tmp.join("t.sig"),
    ];
    assert.match(
      fatalMessage(await runSkopeo(args, { env })),
      /^Error verifying signature: /,
    );
    assert.match(
      fatalMessage(await runOurs(args, { env })),
      /^Error verifying signature: Invalid GPG signature: /,
    );
  },
});

/** Writes a policy with one signedBy requirement for every image. */
async function signedByPolicy(
  tmp: TempDir,
  name: string,
  requirement: Record<string, unknown>,
): Promise<string> {
  const path = tmp.join(name);
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      default: [{ type: "signedBy", keyType: "GPGKeys", ...requirement }],
    }),
  );
  return path;
}

componentTest({
  name:
    "copy --sign-by signs the manifest written to dir:, and signedBy policies judge it as skopeo does",
  components: ["skopeo", "gpg"],
  async fn() {
    await using tmp = await makeTempDir();
    await using key = await makeKeyring(tmp, "k", { algorithm: "ed25519" });
    await using other = await makeKeyring(tmp, "o", { algorithm: "ed25519" });
    const env = { GNUPGHOME: key.home };
    const copyArgs = (dest: string, ...flags: string[]) => [
      "copy",
      "-q",
      "--sign-by",
      key.fingerprint,
      ...flags,
      DEMO,
      `dir:${tmp.join(dest)}`,
    ];
    // No identity for dir:, or a non-canonical one: skopeo's errors.
    for (const flags of [[], ["--sign-identity", "busybox:latest"]]) {
      assert.equal(
        fatalMessage(await runOurs(copyArgs("a", ...flags), { env })).replace(
          tmp.path,
          "T",
        ),
        fatalMessage(await runSkopeo(copyArgs("b", ...flags), { env })).replace(
          tmp.path,
          "T",
        )
          .replace("/b", "/a"),
      );
    }
    // A destination that cannot store signatures: skopeo's error, after signing.
    const archive = (run: typeof runOurs, name: string) =>
      run([
        "copy",
        "-q",
        "--sign-by",
        key.fingerprint,
        "--sign-identity",
        IDENTITY,
        DEMO,
        `docker-archive:${tmp.join(name)}`,
      ], { env });
    assert.equal(
      fatalMessage(await archive(runOurs, "a.tar")),
      fatalMessage(await archive(runSkopeo, "b.tar")),
    );
    // An unknown key: gpg's reason differs from gpgme's, the context does not.
    const unknown = [
      "copy",
      "-q",
      "--sign-by",
      "0123ABCD",
      "--sign-identity",
      IDENTITY,
      DEMO,
      `dir:${tmp.join("unknown")}`,
    ];
    assert.match(
      fatalMessage(await runSkopeo(unknown, { env })),
      /^creating signature: /,
    );
    assert.match(
      fatalMessage(await runOurs(unknown, { env })),
      /^creating signature: gpg: .*No secret key/,
    );
    // Converting to Docker schema2 changes the manifest: what is signed is what is written.
    succeeded(
      await runOurs(
        copyArgs("signed", "--sign-identity", IDENTITY, "--format", "v2s2"),
        { env },
      ),
    );
    const manifest = tmp.join("signed/manifest.json");
    const digest = (await runSkopeo(["manifest-digest", manifest])).stdout
      .trim();
    assert.equal(
      succeeded(
        await runSkopeo([
          "standalone-verify",
          manifest,
          IDENTITY,
          key.fingerprint,
          tmp.join("signed/signature-1"),
        ], { env }),
      ).stdout,
      `Signature verified, digest ${digest}\n`,
    );
    // A second copy keeps the signature and adds one: signature-1 and -2.
    succeeded(
      await runOurs([
        "copy",
        "-q",
        "--sign-by",
        key.fingerprint,
        "--sign-identity",
        "docker.io/library/busybox:v2",
        `dir:${tmp.join("signed")}`,
        `dir:${tmp.join("twice")}`,
      ], { env }),
    );
    await Deno.stat(tmp.join("twice/signature-2"));

    // --all signs the list and every instance, as skopeo does.
    const signatureFiles = async (run: typeof runOurs, name: string) => {
      succeeded(
        await run([
          "copy",
          "-q",
          "--all",
          "--sign-by",
          key.fingerprint,
          "--sign-identity",
          IDENTITY,
          "oci:tests/fixtures/oci:multi",
          `dir:${tmp.join(name)}`,
        ], { env }),
      );
      const names = [];
      for await (const entry of Deno.readDir(tmp.join(name))) {
        if (entry.name.includes("signature-")) names.push(entry.name);
      }
      return names.sort();
    };
    const listSignatures = await signatureFiles(runOurs, "all-ours");
    assert.ok(listSignatures.length > 1);
    assert.deepEqual(
      listSignatures,
      await signatureFiles(runSkopeo, "all-theirs"),
    );

    const exact = { type: "exactReference", dockerReference: IDENTITY };
    const policies = {
      exact: await signedByPolicy(tmp, "exact.json", {
        keyPath: key.publicKeyPath,
        signedIdentity: exact,
      }),
      keyData: await signedByPolicy(tmp, "data.json", {
        keyData: btoa(await Deno.readTextFile(key.publicKeyPath)),
        signedIdentity: {
          type: "exactRepository",
          dockerRepository: "busybox",
        },
      }),
      keyPaths: await signedByPolicy(tmp, "paths.json", {
        keyPaths: [other.publicKeyPath, key.publicKeyPath],
        signedIdentity: exact,
      }),
      defaultIdentity: await signedByPolicy(tmp, "default.json", {
        keyPath: key.publicKeyPath,
      }),
      otherKey: await signedByPolicy(tmp, "other.json", {
        keyPath: other.publicKeyPath,
        signedIdentity: exact,
      }),
    };
    const check = (run: typeof runOurs, policy: string, source: string) =>
      run(
        [
          "--policy",
          policy,
          "copy",
          "-q",
          source,
          `dir:${tmp.join(`out-${crypto.randomUUID()}`)}`,
        ],
        { insecurePolicy: false },
      );
    const signed = `dir:${tmp.join("signed")}`;
    for (
      const policy of [policies.exact, policies.keyData, policies.keyPaths]
    ) {
      succeeded(await check(runSkopeo, policy, signed));
      succeeded(await check(runOurs, policy, signed));
    }
    // Same rejection messages as skopeo: unsigned, wrong identity, two signatures.
    for (
      const [policy, source] of [
        [policies.exact, DEMO],
        [policies.defaultIdentity, signed],
        [policies.defaultIdentity, `dir:${tmp.join("twice")}`],
      ] as const
    ) {
      const ours = fatalMessage(await check(runOurs, policy, source));
      assert.equal(ours, fatalMessage(await check(runSkopeo, policy, source)));
      assert.match(ours, /^Source image rejected: /);
    }
    // Signed by a key the policy does not trust: both call it an invalid GPG signature.
    const theirs = fatalMessage(
      await check(runSkopeo, policies.otherKey, signed),
    );
    const ours = fatalMessage(await check(runOurs, policies.otherKey, signed));
    assert.match(theirs, /^Source image rejected: Invalid GPG signature: /);
    assert.match(
      ours,
      /^Source image rejected: Invalid GPG signature: .*Could not find signing key/,
    );
    // A tampered signature.
    await Deno.mkdir(tmp.join("tampered"));
    for await (const entry of Deno.readDir(tmp.join("signed"))) {
      await Deno.copyFile(
        tmp.join("signed", entry.name),
        tmp.join("tampered", entry.name),
      );
    }
    const bytes = await Deno.readFile(tmp.join("tampered/signature-1"));
    bytes[bytes.length >> 1]! ^= 1;
    await Deno.writeFile(tmp.join("tampered/signature-1"), bytes);
    assert.match(
      fatalMessage(
        await check(runOurs, policies.exact, `dir:${tmp.join("tampered")}`),
      ),
      /^Source image rejected: Invalid GPG signature: /,
    );
  },
});

componentTest({
  name:
    "copying a signed image to a destination without signatures fails before any blob, with skopeo's message",
  components: ["skopeo", "gpg"],
  async fn() {
    await using tmp = await makeTempDir();
    await using key = await makeKeyring(tmp, "k", { algorithm: "ed25519" });
    const env = { GNUPGHOME: key.home };
    const signed = tmp.join("signed");
    succeeded(
      await runOurs([
        "copy",
        "-q",
        "--sign-by",
        key.fingerprint,
        "--sign-identity",
        IDENTITY,
        DEMO,
        `dir:${signed}`,
      ], { env }),
    );
    for (
      const dest of [
        `oci:${tmp.join("oci")}:x`,
        `docker-archive:${tmp.join("a.tar")}`,
      ]
    ) {
      const ours = await runOurs(["copy", `dir:${signed}`, dest]);
      const theirs = await runSkopeo(["copy", `dir:${signed}`, dest]);
      assert.equal(fatalMessage(ours), fatalMessage(theirs));
      assert.match(fatalMessage(ours), /^Can not copy signatures to /);
      // No blob was copied; the progress lines are skopeo's.
      assert.doesNotMatch(ours.stdout, /Copying blob/);
      assert.equal(ours.stdout, theirs.stdout);
      assert.match(
        ours.stdout,
        /Checking if image destination supports signatures\n$/,
      );
    }
    // With --remove-signatures the copy goes through.
    succeeded(
      await runOurs([
        "copy",
        "-q",
        "--remove-signatures",
        `dir:${signed}`,
        `oci:${tmp.join("oci")}:x`,
      ]),
    );
  },
});
