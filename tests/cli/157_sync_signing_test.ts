/**
 * `sync --sign-by-sigstore-private-key`: every synced image is signed, an
 * image already at the destination is copied again so that it gets its
 * signature (as containers/image does when signatures change), and the
 * signatures satisfy a `sigstoreSigned` policy.
 */
import assert from "node:assert/strict";
import { componentTest } from "../support/components.ts";
import { startRegistry } from "../support/registry.ts";
import { runOurs, succeeded } from "../support/skopeo.ts";
import { makeTempDir } from "../support/temp_dir.ts";

const SECRET = "sync-secret-41c9";

componentTest({
  name:
    "sync --sign-by-sigstore-private-key signs each image, even one already present",
  components: ["docker-registry"],
  async fn() {
    await using tmp = await makeTempDir();
    await using registry = await startRegistry();
    const passphrase = tmp.join("passphrase");
    await Deno.writeTextFile(passphrase, `${SECRET}\n`);
    const key = tmp.join("k");
    succeeded(
      await runOurs([
        "generate-sigstore-key",
        "--output-prefix",
        key,
        "--passphrase-file",
        passphrase,
      ]),
    );
    for (const tag of ["1", "2"]) {
      succeeded(
        await runOurs([
          "copy",
          "-q",
          "--dest-tls-verify=false",
          "oci:tests/fixtures/oci:demo",
          `docker://${registry.host}/app:${tag}`,
        ]),
      );
    }
    const registriesD = tmp.join("registries.d");
    await Deno.mkdir(registriesD);
    await Deno.writeTextFile(
      `${registriesD}/a.yaml`,
      "default-docker:\n  use-sigstore-attachments: true\n",
    );
    const sync = (...extra: string[]) =>
      runOurs([
        "--debug",
        "--registries.d",
        registriesD,
        "sync",
        "--src",
        "docker",
        "--dest",
        "docker",
        "--src-tls-verify=false",
        "--dest-tls-verify=false",
        "--no-cache",
        ...extra,
        `${registry.host}/app`,
        `${registry.host}/mirror`,
      ]);
    succeeded(await sync()); // unsigned copies first
    const signedRun = succeeded(
      await sync(
        "--sign-by-sigstore-private-key",
        `${key}.private`,
        "--sign-passphrase-file",
        passphrase,
      ),
    );
    assert.ok(!(signedRun.stdout + signedRun.stderr).includes(SECRET));
    assert.doesNotMatch(signedRun.stdout, /Skipping: image already present/);
    assert.match(
      signedRun.stdout,
      /Signing manifest using a sigstore signature/,
    );

    const policy = tmp.join("policy.json");
    await Deno.writeTextFile(
      policy,
      JSON.stringify({
        default: [{ type: "reject" }],
        transports: {
          docker: {
            "": [{
              type: "sigstoreSigned",
              keyPath: `${key}.pub`,
              signedIdentity: { type: "matchRepository" },
            }],
          },
        },
      }),
    );
    const judge = (image: string, out: string) =>
      runOurs([
        "--registries.d",
        registriesD,
        "--policy",
        policy,
        "copy",
        "-q",
        "--src-tls-verify=false",
        `docker://${registry.host}/${image}`,
        `dir:${tmp.join("o", out)}`,
      ], { insecurePolicy: false });
    for (const tag of ["1", "2"]) {
      succeeded(await judge(`mirror/app:${tag}`, tag));
    }
    // The unsigned source images are refused by that policy.
    const refused = await judge("app:1", "x");
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      /Source image rejected: A signature was required, but no signature exists/,
    );
  },
});
