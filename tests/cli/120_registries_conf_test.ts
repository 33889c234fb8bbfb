/**
 * registries.conf against REAL registries on loopback, each case run with
 * skopeo 1.9.3 and our CLI given the same file through `--registries-conf`
 * (skopeo's hidden global flag; 1.9.3 ignores CONTAINERS_REGISTRIES_CONF):
 * mirrors when the primary is down, blocked registries, `insecure`,
 * malformed files.
 */
import assert from "node:assert/strict";
import { componentTest } from "../support/components.ts";
import { startRegistry } from "../support/registry.ts";
import { runOurs, type RunResult, runSkopeo } from "../support/skopeo.ts";
import { makeTempDir } from "../support/temp_dir.ts";

const DEMO = "oci:tests/fixtures/oci:demo";
const demoManifest = (JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/digests.json", import.meta.url)),
) as Record<string, { manifest: string }>)["oci:demo"]!.manifest;

type Runner = typeof runOurs;
const BOTH: [string, Runner][] = [["skopeo", runSkopeo], ["ours", runOurs]];

function ok(result: RunResult): RunResult {
  assert.equal(result.code, 0, result.stderr);
  return result;
}

/**
 * The one fatal line, without logrus's time and with network-error texts
 * (Go's `dial tcp …` vs. ours) replaced by `<net>`.
 */
function fatalLine(result: RunResult): string {
  assert.equal(result.code, 1, result.stdout);
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /level=fatal msg=/);
  return lines[0]!.replace(/^time="[^"]*" /, "").replace(
    /(dial tcp|error sending request)[^\]"]*/g,
    "<net>",
  );
}

/** Runs both tools with the same isolation directory (so the same HOME). */
async function both(
  args: string[],
  home: string,
): Promise<{ skopeo: RunResult; ours: RunResult }> {
  const [skopeo, ours] = await Promise.all(
    BOTH.map(([, run]) => run(args, { home })),
  );
  return { skopeo: skopeo!, ours: ours! };
}

componentTest({
  name:
    "registries.conf: mirrors, blocked and insecure registries behave as in skopeo 1.9.3",
  components: ["docker-registry", "skopeo"],
  async fn(t) {
    await using tmp = await makeTempDir();
    const home = tmp.join("home");
    await using mirror = await startRegistry();
    await using primary = await startRegistry();
    const P = primary.host;
    const M = mirror.host;
    for (const target of [`${P}/app:1`, `${M}/mirror-ns/app:1`]) {
      ok(
        await runOurs([
          "copy",
          "--dest-tls-verify=false",
          DEMO,
          `docker://${target}`,
        ]),
      );
    }

    await t.step("skopeo's --format example prints the same line", async () => {
      const args = [
        "inspect",
        "--tls-verify=false",
        "--format",
        "Name: {{.Name}} Digest: {{.Digest}}",
        `docker://${P}/app:1`,
      ];
      const { skopeo, ours } = await both(args, home);
      assert.equal(ok(ours).stdout, ok(skopeo).stdout);
      assert.equal(ours.stdout, `Name: ${P}/app Digest: ${demoManifest}\n`);
    });

    await primary.stop();
    // A loopback port nobody listens on: the first mirror refuses connections.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const closed = `127.0.0.1:${listener.addr.port}`;
    listener.close();
    const conf = tmp.join("mirrors.conf");
    await Deno.writeTextFile(
      conf,
      `[[registry]]
location = "${P}"
insecure = true

[[registry.mirror]]
location = "${closed}/unreachable"
insecure = true

[[registry.mirror]]
location = "${M}/mirror-ns"
insecure = true
`,
    );

    await t.step(
      "a pull goes through the second mirror when the primary is down",
      async () => {
        for (const [tool, run] of BOTH) {
          const out = tmp.join(`pulled-${tool}`);
          ok(
            await run([
              "--registries-conf",
              conf,
              "copy",
              `docker://${P}/app:1`,
              `dir:${out}`,
            ], { home }),
          );
          const manifest = await Deno.readFile(`${out}/manifest.json`);
          const hash = new Uint8Array(
            await crypto.subtle.digest("SHA-256", manifest),
          );
          assert.equal(
            `sha256:${
              Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("")
            }`,
            demoManifest,
            tool,
          );
        }
        // inspect names the logical reference, not the mirror.
        const { skopeo, ours } = await both([
          "--registries-conf",
          conf,
          "inspect",
          "--no-tags",
          `docker://${P}/app:1`,
        ], home);
        assert.deepEqual(
          JSON.parse(ok(ours).stdout),
          JSON.parse(ok(skopeo).stdout),
        );
        assert.equal(JSON.parse(ours.stdout).Name, `${P}/app`);
        // Listing tags asks the primary only (no mirrors), in both tools.
        const withTags = await both([
          "--registries-conf",
          conf,
          "inspect",
          `docker://${P}/app:1`,
        ], home);
        for (const result of [withTags.skopeo, withTags.ours]) {
          assert.match(
            fatalLine(result),
            new RegExp(`pinging container registry ${P}: `),
          );
        }
      },
    );

    await t.step(
      "when every endpoint fails, the error lists the mirrors and ends with the primary's",
      async () => {
        const { skopeo, ours } = await both([
          "--registries-conf",
          conf,
          "inspect",
          "--no-tags",
          `docker://${P}/missing:1`,
        ], home);
        const line = fatalLine(ours);
        assert.equal(line, fatalLine(skopeo));
        assert.ok(
          line.includes(`(Mirrors also failed: [${closed}/unreachable/`),
          line,
        );
      },
    );

    await t.step("pushes never use mirrors", async () => {
      const { skopeo, ours } = await both([
        "--registries-conf",
        conf,
        "copy",
        DEMO,
        `docker://${P}/app:2`,
      ], home);
      // skopeo fails later (at the first blob) than we do (when opening the
      // destination); both at the primary.
      for (const result of [skopeo, ours]) {
        assert.match(
          fatalLine(result),
          new RegExp(`: pinging container registry ${P}: `),
        );
      }
      const tags = await fetch(`${mirror.url}/v2/mirror-ns/app/tags/list`);
      assert.deepEqual((await tags.json()).tags, ["1"]);
    });

    await t.step(
      "a digest-only mirror is skipped for a tag and used for a digest",
      async () => {
        const digestOnly = tmp.join("digest-only.conf");
        await Deno.writeTextFile(
          digestOnly,
          `[[registry]]\nlocation = "${P}"\ninsecure = true\n[[registry.mirror]]\nlocation = "${M}/mirror-ns"\ninsecure = true\npull-from-mirror = "digest-only"\n`,
        );
        const byTag = await both([
          "--registries-conf",
          digestOnly,
          "inspect",
          "--no-tags",
          `docker://${P}/app:1`,
        ], home);
        assert.equal(fatalLine(byTag.ours), fatalLine(byTag.skopeo));
        assert.doesNotMatch(fatalLine(byTag.ours), /Mirrors also failed/);
        const byDigest = await both([
          "--registries-conf",
          digestOnly,
          "inspect",
          "--no-tags",
          "--format",
          "{{.Digest}}",
          `docker://${P}/app@${demoManifest}`,
        ], home);
        assert.equal(ok(byDigest.ours).stdout, ok(byDigest.skopeo).stdout);
        assert.equal(byDigest.ours.stdout, `${demoManifest}\n`);
      },
    );

    await t.step(
      "a blocked registry is refused with skopeo's message",
      async () => {
        const blocked = tmp.join("blocked.conf");
        await Deno.writeTextFile(
          blocked,
          `[[registry]]\nlocation = "${M}"\nblocked = true\n`,
        );
        for (
          const args of [
            ["inspect", "--tls-verify=false", `docker://${M}/mirror-ns/app:1`],
            ["copy", "--dest-tls-verify=false", DEMO, `docker://${M}/b:1`],
            ["list-tags", "--tls-verify=false", `docker://${M}/mirror-ns/app`],
            ["delete", "--tls-verify=false", `docker://${M}/mirror-ns/app:1`],
          ]
        ) {
          const { skopeo, ours } = await both([
            "--registries-conf",
            blocked,
            ...args,
          ], home);
          const line = fatalLine(ours);
          assert.equal(line, fatalLine(skopeo), args.join(" "));
          assert.match(
            line,
            new RegExp(`registry ${M} is blocked in ${blocked} or `),
          );
        }
        // Nothing was written nor deleted.
        const tags = await runOurs([
          "list-tags",
          "--tls-verify=false",
          `docker://${M}/mirror-ns/app`,
        ]);
        assert.deepEqual(JSON.parse(ok(tags).stdout).Tags, ["1"]);
        assert.equal(
          (await fetch(`${mirror.url}/v2/b/tags/list`).then((r) => r.text()))
            .includes('"1"'),
          false,
        );
      },
    );

    await t.step(
      "insecure = true lets a plain-HTTP registry work without --tls-verify=false",
      async () => {
        const insecure = tmp.join("insecure.conf");
        await Deno.writeTextFile(
          insecure,
          `[[registry]]\nlocation = "${M}"\ninsecure = true\n`,
        );
        const ref = `docker://${M}/mirror-ns/app:1`;
        const withConf = await both([
          "--registries-conf",
          insecure,
          "inspect",
          "--format",
          "{{.Digest}}",
          ref,
        ], home);
        assert.equal(ok(withConf.ours).stdout, ok(withConf.skopeo).stdout);
        assert.equal(withConf.ours.stdout, `${demoManifest}\n`);
        // Without the entry, or with an explicit --tls-verify, HTTPS is required.
        for (
          const args of [
            ["inspect", ref],
            ["--registries-conf", insecure, "inspect", "--tls-verify", ref],
          ]
        ) {
          const { skopeo, ours } = await both(args, home);
          assert.equal(skopeo.code, 1, skopeo.stdout);
          assert.equal(ours.code, 1, ours.stdout);
          assert.match(
            fatalLine(ours),
            new RegExp(`pinging container registry ${M}`),
          );
        }
      },
    );

    await t.step(
      "a malformed file is a one-line error with its position",
      async () => {
        const bad = tmp.join("bad.conf");
        await Deno.writeTextFile(
          bad,
          `[[registry]]\nlocation = "${M}"\ninsecure = flase\n`,
        );
        const { skopeo, ours } = await both([
          "--registries-conf",
          bad,
          "inspect",
          `docker://${M}/mirror-ns/app:1`,
        ], home);
        const prefix =
          `level=fatal msg="Error parsing image name \\"docker://${M}/mirror-ns/app:1\\": loading registries configuration: loading registries configuration \\"${bad}\\": toml: line 3`;
        assert.ok(fatalLine(skopeo).startsWith(prefix), fatalLine(skopeo));
        assert.equal(
          fatalLine(ours),
          `${prefix}, column 12: invalid value"`,
        );
      },
    );

    await t.step(
      "CONTAINERS_REGISTRIES_CONF is honoured (newer skopeo; 1.9.3 ignores it)",
      async () => {
        const blocked = tmp.join("blocked-env.conf");
        await Deno.writeTextFile(
          blocked,
          `[[registry]]\nlocation = "${M}"\nblocked = true\n`,
        );
        const args = [
          "inspect",
          "--tls-verify=false",
          `docker://${M}/mirror-ns/app:1`,
        ];
        const env = { CONTAINERS_REGISTRIES_CONF: blocked };
        assert.match(
          fatalLine(await runOurs(args, { home, env })),
          /is blocked in/,
        );
        ok(await runSkopeo(args, { home, env }));
      },
    );
  },
});
