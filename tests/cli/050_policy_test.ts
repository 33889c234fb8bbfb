import assert from "node:assert/strict";
import { componentTest } from "../support/components.ts";
import { runOurs, runSkopeo } from "../support/skopeo.ts";
import { makeTempDir } from "../support/temp_dir.ts";

const DEMO = "oci:tests/fixtures/oci:demo";

async function policyCases(dir: string): Promise<Array<[string, string]>> {
  const write = async (name: string, text: string) => {
    await Deno.writeTextFile(`${dir}/${name}`, text);
    return `${dir}/${name}`;
  };
  const abs = Deno.cwd();
  return [
    [
      "accept",
      await write(
        "accept.json",
        '{"default":[{"type":"insecureAcceptAnything"}]}',
      ),
    ],
    ["reject", await write("reject.json", '{"default":[{"type":"reject"}]}')],
    [
      "unknown type",
      await write("bogus.json", '{"default":[{"type":"bogus"}]}'),
    ],
    [
      "oci scope rejects one layout",
      await write(
        "scoped.json",
        JSON.stringify({
          default: [{ type: "insecureAcceptAnything" }],
          transports: {
            oci: { [`${abs}/tests/fixtures/oci`]: [{ type: "reject" }] },
          },
        }),
      ),
    ],
    [
      "oci scope accepts, default rejects",
      await write(
        "scoped2.json",
        JSON.stringify({
          default: [{ type: "reject" }],
          transports: {
            oci: {
              [`${abs}/tests/fixtures`]: [{ type: "insecureAcceptAnything" }],
            },
          },
        }),
      ),
    ],
    ["missing file", `${dir}/nope.json`],
  ];
}

Deno.test("copy enforces --policy: reject refuses the image and writes nothing", async () => {
  await using tmp = await makeTempDir();
  await Deno.writeTextFile(
    `${tmp.path}/reject.json`,
    '{"default":[{"type":"reject"}]}',
  );
  const result = await runOurs(
    ["--policy", `${tmp.path}/reject.json`, "copy", DEMO, `dir:${tmp.path}/d`],
    { insecurePolicy: false },
  );
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /Source image rejected: Running image oci:tests\/fixtures\/oci:demo is rejected by policy\./,
  );
  await assert.rejects(Deno.stat(`${tmp.path}/d/manifest.json`));
  const insecure = await runOurs(
    [
      "--insecure-policy",
      "--policy",
      `${tmp.path}/reject.json`,
      "copy",
      "-q",
      DEMO,
      `dir:${tmp.path}/d`,
    ],
    { insecurePolicy: false },
  );
  assert.equal(insecure.code, 0, insecure.stderr);
});

Deno.test("copy refuses an unsigned image under a signedBy policy", async () => {
  await using tmp = await makeTempDir();
  await Deno.writeTextFile(
    `${tmp.path}/signed.json`,
    '{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/nonexistent"}]}',
  );
  const result = await runOurs(
    ["--policy", `${tmp.path}/signed.json`, "copy", DEMO, `dir:${tmp.path}/d`],
    { insecurePolicy: false },
  );
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /Source image rejected: A signature was required, but no signature exists/,
  );
});

componentTest({
  name: "policy decisions and messages match skopeo 1.9.3",
  components: ["skopeo"],
  async fn() {
    await using tmp = await makeTempDir();
    for (const [label, path] of await policyCases(tmp.path)) {
      const args = [
        "--policy",
        path,
        "copy",
        "-q",
        DEMO,
        `dir:${tmp.path}/out-${label.replaceAll(" ", "_")}`,
      ];
      const theirs = await runSkopeo(args, { insecurePolicy: false });
      const ours = await runOurs(
        [
          "--policy",
          path,
          "copy",
          "-q",
          DEMO,
          `dir:${tmp.path}/ours-${label.replaceAll(" ", "_")}`,
        ],
        { insecurePolicy: false },
      );
      assert.equal(
        ours.code,
        theirs.code,
        `${label}: ${ours.stderr} vs ${theirs.stderr}`,
      );
      if (theirs.code !== 0 && !label.includes("unknown")) {
        const msg = (s: string) =>
          s.replace(/^time="[^"]+" /, "").replace(/out-\S+|ours-\S+/g, "X")
            .trimEnd();
        assert.equal(msg(ours.stderr), msg(theirs.stderr), label);
      }
    }
  },
});
