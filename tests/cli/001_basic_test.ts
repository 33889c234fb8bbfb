import assert from "node:assert/strict";
import { runOurs, runSkopeo } from "../support/skopeo.ts";
import { componentTest } from "../support/components.ts";

Deno.test("skopeo --version prints the skopeo version it matches", async () => {
  const result = await runOurs(["--version"]);
  assert.equal(result.code, 0);
  assert.match(
    result.stdout,
    /^skopeo version 1\.9\.3 \(skopeo-ts \d+\.\d+\.\d+\)\n$/,
  );
});

Deno.test("skopeo --help lists the working commands and global flags", async () => {
  const result = await runOurs(["--help"]);
  assert.equal(result.code, 0);
  for (
    const text of [
      "copy",
      "inspect",
      "manifest-digest",
      "--override-arch ARCH",
      "--tmpdir string",
    ]
  ) {
    assert.ok(result.stdout.includes(text), `help lacks ${text}`);
  }
});

Deno.test("skopeo help copy equals skopeo copy --help", async () => {
  const a = await runOurs(["help", "copy"]);
  const b = await runOurs(["copy", "--help"]);
  assert.equal(a.code, 0);
  assert.equal(a.stdout, b.stdout);
  assert.match(
    a.stdout,
    /Usage:\nskopeo copy \[command options\] SOURCE-IMAGE DESTINATION-IMAGE/,
  );
});

componentTest({
  name: "copy --help lists every flag skopeo 1.9.3's copy has",
  components: ["skopeo"],
  async fn() {
    const theirs = await runSkopeo(["copy", "--help"]);
    const ours = await runOurs(["copy", "--help"]);
    const flagNames = (text: string) =>
      [...text.matchAll(/^\s+(?:-\w, )?--([\w.-]+)/gm)].map((m) => m[1]);
    const missing = flagNames(theirs.stdout).filter((f) =>
      !flagNames(ours.stdout).includes(f)
    );
    assert.deepEqual(missing, []);
  },
});

const FATAL_CASES: Array<[string[], string]> = [
  [
    ["bogus"],
    "Unrecognized command `skopeo bogus`\\nTry 'skopeo --help' for more information",
  ],
  [["copy", "--bogus", "a", "b"], "unknown flag: --bogus"],
  [["copy", "-z", "a", "b"], "unknown shorthand flag: 'z' in -z"],
  [
    ["copy", "--quiet=nope", "a", "b"],
    'invalid argument \\"nope\\" for \\"-q, --quiet\\" flag: strconv.ParseBool: parsing \\"nope\\": invalid syntax',
  ],
  [
    ["copy", "--retry-times=abc", "a", "b"],
    'invalid argument \\"abc\\" for \\"--retry-times\\" flag: strconv.ParseInt: parsing \\"abc\\": invalid syntax',
  ],
  [["copy", "--format"], "flag needs an argument: --format"],
  [
    ["copy", "foo", "bar"],
    'Invalid source name foo: Invalid image name \\"foo\\", expected colon-separated transport:reference',
  ],
  [
    ["copy", "bogus:x", "dir:/tmp/x"],
    'Invalid source name bogus:x: Invalid image name \\"bogus:x\\", unknown transport \\"bogus\\"',
  ],
  [
    ["copy", "--format=x", "oci:/tmp/x", "dir:/tmp/y"],
    "unknown format \\\"x\\\". Choose one of the supported formats: 'oci', 'v2s1', or 'v2s2'",
  ],
  [["inspect"], "Exactly one argument expected"],
  [["manifest-digest"], "Usage: skopeo manifest-digest manifest"],
  [
    ["--command-timeout=abc", "copy", "a", "b"],
    'invalid argument \\"abc\\" for \\"--command-timeout\\" flag: time: invalid duration \\"abc\\"',
  ],
];

for (const [args, message] of FATAL_CASES) {
  Deno.test(`skopeo ${args.join(" ")} fails with skopeo's one-line message`, async () => {
    const result = await runOurs(args);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    const lines = result.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, /^time="[^"]+" level=fatal msg=/);
    assert.equal(
      lines[0]!.replace(/^time="[^"]+" level=fatal msg="(.*)"$/, "$1"),
      message,
    );
  });
}

componentTest({
  name: "fatal messages match skopeo 1.9.3's for the same bad input",
  components: ["skopeo"],
  async fn() {
    for (
      const [args] of FATAL_CASES.filter(([a]) =>
        a[0] === "copy" && a.length > 2
      )
    ) {
      const theirs = await runSkopeo(args);
      const ours = await runOurs(args);
      const strip = (s: string) => s.replace(/^time="[^"]+" /, "").trimEnd();
      assert.equal(strip(ours.stderr), strip(theirs.stderr), args.join(" "));
    }
  },
});
