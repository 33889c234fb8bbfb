import assert from "node:assert/strict";
import { guessMediaType } from "./guess.ts";
import {
  MEDIA_TYPE_DOCKER_MANIFEST_LIST,
  MEDIA_TYPE_DOCKER_SCHEMA1,
  MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED,
  MEDIA_TYPE_DOCKER_SCHEMA2,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
} from "./media_types.ts";

const TESTDATA = new URL("./testdata/", import.meta.url).pathname;
const ENCODER = new TextEncoder();

// Expected values follow containers/image 5.23 manifest.GuessMIMEType.
const INLINE_CASES: [name: string, text: string, expected: string][] = [
  ["empty input", "", ""],
  ["not JSON", "this is not a manifest", ""],
  ["a JSON array", "[]", ""],
  ["a JSON string", '"x"', ""],
  ["a byte-order mark", '\ufeff{"schemaVersion":1}', ""],
  ["an empty object", "{}", ""],
  ["schemaVersion 3", '{"schemaVersion":3}', ""],
  ["a string schemaVersion", '{"schemaVersion":"1"}', ""],
  ["a fractional schemaVersion", '{"schemaVersion":1.5}', ""],
  ["a non-string mediaType", '{"schemaVersion":1,"mediaType":5}', ""],
  [
    "schema1 without signatures",
    '{"schemaVersion":1}',
    MEDIA_TYPE_DOCKER_SCHEMA1,
  ],
  [
    "schema1 with null signatures",
    '{"schemaVersion":1,"signatures":null}',
    MEDIA_TYPE_DOCKER_SCHEMA1,
  ],
  [
    "schema1 with empty signatures",
    '{"schemaVersion":1,"signatures":[]}',
    MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED,
  ],
  [
    "schema1 with Signatures in another case",
    '{"SCHEMAVERSION":1,"Signatures":{}}',
    MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED,
  ],
  [
    "a recognized mediaType over schemaVersion",
    `{"schemaVersion":1,"mediaType":"${MEDIA_TYPE_OCI_INDEX}"}`,
    MEDIA_TYPE_OCI_INDEX,
  ],
  [
    "a Docker list by mediaType",
    `{"mediaType":"${MEDIA_TYPE_DOCKER_MANIFEST_LIST}"}`,
    MEDIA_TYPE_DOCKER_MANIFEST_LIST,
  ],
  [
    "an unrecognized mediaType falls back to schemaVersion",
    '{"schemaVersion":1,"mediaType":"application/json"}',
    MEDIA_TYPE_DOCKER_SCHEMA1,
  ],
  [
    "OCI config without mediaType field",
    '{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json"}}',
    MEDIA_TYPE_OCI_MANIFEST,
  ],
  [
    "Docker config without mediaType field",
    '{"schemaVersion":2,"config":{"mediaType":"application/vnd.docker.container.image.v1+json"}}',
    MEDIA_TYPE_DOCKER_SCHEMA2,
  ],
  [
    "an index without mediaType field",
    '{"schemaVersion":2,"manifests":[{}]}',
    MEDIA_TYPE_OCI_INDEX,
  ],
  [
    "an empty manifests array is an OCI manifest",
    '{"schemaVersion":2,"manifests":[]}',
    MEDIA_TYPE_OCI_MANIFEST,
  ],
  [
    "an artifact with a custom config type",
    '{"schemaVersion":2,"config":{"mediaType":"application/vnd.example+json"},"layers":[]}',
    MEDIA_TYPE_OCI_MANIFEST,
  ],
  [
    "manifests with a custom config type return the config type",
    '{"schemaVersion":2,"config":{"mediaType":"application/vnd.example+json"},"manifests":[{}]}',
    "application/vnd.example+json",
  ],
  ["a config that is not an object", '{"schemaVersion":2,"config":"x"}', ""],
  [
    "a config mediaType that is not a string",
    '{"schemaVersion":2,"config":{"mediaType":1}}',
    "",
  ],
  ["manifests that is not an array", '{"schemaVersion":2,"manifests":{}}', ""],
];

for (const [name, text, expected] of INLINE_CASES) {
  Deno.test(`guessMediaType() handles ${name}`, () => {
    assert.equal(guessMediaType(ENCODER.encode(text)), expected);
  });
}

const FILE_CASES: [file: string, expected: string][] = [
  ["oci_manifest.json", MEDIA_TYPE_OCI_MANIFEST],
  ["oci_index.json", MEDIA_TYPE_OCI_INDEX],
  ["docker_schema2.json", MEDIA_TYPE_DOCKER_SCHEMA2],
  ["docker_list.json", MEDIA_TYPE_DOCKER_MANIFEST_LIST],
  ["schema1_unsigned.json", MEDIA_TYPE_DOCKER_SCHEMA1],
  ["schema1_duplicate_ids.json", MEDIA_TYPE_DOCKER_SCHEMA1],
  ["schema1_signed_pretty.json", MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED],
  ["schema1_signed_skopeo.json", MEDIA_TYPE_DOCKER_SCHEMA1_SIGNED],
  ["not_json.txt", ""],
  ["empty.txt", ""],
];

Deno.test("guessMediaType() recognizes every sample manifest", async () => {
  for (const [file, expected] of FILE_CASES) {
    assert.equal(
      guessMediaType(await Deno.readFile(`${TESTDATA}${file}`)),
      expected,
      file,
    );
  }
});
