import assert from "node:assert/strict";
import { componentTest } from "../../tests/support/components.ts";
import { digestOf } from "../digest.ts";
import { InvalidContentError } from "../errors.ts";
import { parseImageConfig } from "./config.ts";

const ENCODER = new TextEncoder();

function config(document: unknown): ReturnType<typeof parseImageConfig> {
  return parseImageConfig(ENCODER.encode(JSON.stringify(document)));
}

// `created` → what skopeo 1.9.3 prints (Go 1.19 time parsing), or null when
// it fails. Observed with `skopeo inspect` on dir: images holding each value.
const CREATED_CASES: [string, string | null][] = [
  ["2023-01-01T00:00:00Z", "2023-01-01T00:00:00Z"],
  ["2023-01-01T00:00:00.000000000Z", "2023-01-01T00:00:00Z"],
  ["2023-02-03T12:00:00.000Z", "2023-02-03T12:00:00Z"],
  [
    "2023-06-01T12:30:45.123456789123+05:30",
    "2023-06-01T12:30:45.123456789+05:30",
  ],
  ["2023-02-03T12:00:00.1234567899Z", "2023-02-03T12:00:00.123456789Z"],
  ["2023-02-03T12:00:00.0000000001Z", "2023-02-03T12:00:00Z"],
  ["2023-06-01T12:30:45.100-00:00", "2023-06-01T12:30:45.1Z"],
  ["2023-02-03T12:00:00+00:00", "2023-02-03T12:00:00Z"],
  ["2023-02-03T12:00:00,5Z", "2023-02-03T12:00:00.5Z"],
  ["2023-02-03T12:00:00.123+01:30", "2023-02-03T12:00:00.123+01:30"],
  ["2023-02-03T00:00:00-23:59", "2023-02-03T00:00:00-23:59"],
  ["2023-02-03T12:00:00+24:00", "2023-02-03T12:00:00+24:00"],
  ["2023-02-03T12:00:00+00:60", "2023-02-03T12:00:00+01:00"],
  ["2023-02-03T12:00:00+99:99", "2023-02-03T12:00:00+100:39"],
  ["2023-02-03T1:00:00Z", "2023-02-03T01:00:00Z"],
  ["0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z"],
  ["2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z"],
  ["1900-02-29T12:00:00Z", null],
  ["2023-02-30T12:30:45Z", null],
  ["2023-13-01T12:30:45Z", null],
  ["2023-02-03T24:00:00Z", null],
  ["2023-02-03T23:59:60Z", null],
  ["2023-06-01 12:30:45Z", null],
  ["2023-02-03t12:00:00z", null],
  ["2023-02-03T12:00:00.Z", null],
  ["2023-02-03T12:00:00+0100", null],
  ["2023-02-03T12:00:00+01:00:00", null],
  ["2023-02-03T12:00:00", null],
  ["2023-02-03T12:00:00Z ", null],
  ["2023-2-03T12:00:00Z", null],
];

for (const [input, expected] of CREATED_CASES) {
  Deno.test(`parseImageConfig() re-marshals created "${input}" like Go`, () => {
    if (expected === null) {
      assert.throws(() => config({ created: input }), (error: unknown) => {
        assert.ok(error instanceof InvalidContentError);
        assert.match(error.message, /^Invalid image config: created: /);
        return true;
      });
    } else {
      assert.equal(config({ created: input }).created, expected);
    }
  });
}

Deno.test("parseImageConfig() reads the inspect fields and leaves absent ones empty", () => {
  assert.deepEqual(
    config({
      created: "2023-01-01T00:00:00Z",
      author: "me",
      architecture: "arm",
      variant: "v7",
      os: "linux",
      docker_version: "20.10.1",
      config: { Labels: { a: "1" }, Env: ["A=1"], Cmd: ["/bin/sh"] },
    }),
    {
      created: "2023-01-01T00:00:00Z",
      author: "me",
      architecture: "arm",
      variant: "v7",
      os: "linux",
      dockerVersion: "20.10.1",
      labels: { a: "1" },
      env: ["A=1"],
    },
  );
  assert.deepEqual(config({}), {
    created: undefined,
    author: "",
    architecture: "",
    variant: "",
    os: "",
    dockerVersion: "",
    labels: undefined,
    env: undefined,
  });
  assert.deepEqual(config({ created: null, config: null }).labels, undefined);
});

Deno.test("parseImageConfig() decodes like Go: case-insensitive keys, null members", () => {
  // Raw text: a "__proto__" key in an object literal would set the prototype.
  const parsed = parseImageConfig(ENCODER.encode(
    '{"Created":"2023-06-01T12:30:45Z","ARCHITECTURE":"x","architecture":"y","Os":null,' +
      '"CONFIG":{"labels":{"a":null,"__proto__":"kept"},"env":[null,"A"]}}',
  ));
  assert.equal(parsed.created, "2023-06-01T12:30:45Z");
  assert.equal(parsed.architecture, "y");
  assert.equal(parsed.os, "");
  assert.deepEqual(Object.entries(parsed.labels!), [["a", ""], [
    "__proto__",
    "kept",
  ]]);
  assert.deepEqual(parsed.env, ["", "A"]);
});

Deno.test("parseImageConfig() rejects what Go would not decode", () => {
  const cases: [string, RegExp][] = [
    ["[]", /^Invalid image config: expected a JSON object$/],
    ["x", /^Invalid image config: not valid JSON/],
    ['{"created":5}', /^Invalid image config: created: expected a string$/],
    [
      '{"architecture":5}',
      /^Invalid image config: architecture: expected a string, got number$/,
    ],
    [
      '{"config":[]}',
      /^Invalid image config: config: expected an object, got array$/,
    ],
    [
      '{"config":{"Labels":{"a":1}}}',
      /^Invalid image config: config\.Labels\.a: expected a string, got number$/,
    ],
    [
      '{"config":{"Env":[1]}}',
      /^Invalid image config: config\.Env\[0\]: expected a string, got number$/,
    ],
  ];
  for (const [text, expected] of cases) {
    assert.throws(
      () => parseImageConfig(ENCODER.encode(text)),
      { name: "InvalidContentError", message: expected },
      text,
    );
  }
  assert.throws(
    () =>
      parseImageConfig(ENCODER.encode('{"os":1}'), {
        what: "schema1 history entry 0",
      }),
    { message: /^Invalid schema1 history entry 0: os:/ },
  );
});

componentTest({
  name: "parseImageConfig() times agree with a live `skopeo inspect`",
  components: ["skopeo"],
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(
        `${dir}/version`,
        "Directory Transport Version: 1.1\n",
      );
      for (const [input] of CREATED_CASES) {
        const configBytes = ENCODER.encode(JSON.stringify({ created: input }));
        const digest = digestOf(configBytes);
        await Deno.writeFile(`${dir}/${digest.slice(7)}`, configBytes);
        await Deno.writeTextFile(
          `${dir}/manifest.json`,
          JSON.stringify({
            schemaVersion: 2,
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            config: {
              mediaType: "application/vnd.oci.image.config.v1+json",
              digest,
              size: configBytes.length,
            },
            layers: [],
          }),
        );
        const output = await new Deno.Command("skopeo", {
          args: ["inspect", `dir:${dir}`],
        }).output();
        let ours: string | null;
        try {
          ours = parseImageConfig(configBytes).created ?? null;
        } catch {
          ours = null;
        }
        const theirs = output.success
          ? JSON.parse(new TextDecoder().decode(output.stdout)).Created
          : null;
        assert.equal(ours, theirs, input);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
