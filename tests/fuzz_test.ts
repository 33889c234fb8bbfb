/**
 * Seeded random-input tests of parsers fed by untrusted input: they may
 * accept, or throw their documented error class, and nothing else (no
 * TypeError/RangeError from a missing check). fast-check prints the seed
 * and the shrunk counter-example on failure; `FUZZ_SEED=n` replays a run.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { InvalidContentError, InvalidReferenceError } from "../core/errors.ts";
import {
  ALL_MANIFEST_MEDIA_TYPES,
  parseManifest,
} from "../core/manifest/mod.ts";
import { formatReference, parseNormalizedNamed } from "../core/docker_name.ts";

const seedText = Deno.env.get("FUZZ_SEED");
const PARAMS: fc.Parameters<unknown> = {
  numRuns: 2_000,
  ...(seedText === undefined ? {} : { seed: Number(seedText) }),
};

/** Characters that matter to reference grammar, plus a few that never do. */
const REFERENCE_CHARS = "abcz09AZ._-/:@+ \u00e9\u0000".split("");
const DIGEST_HEX = "0123456789abcdef";

const referenceText = fc.oneof(
  fc.string({ unit: fc.constantFrom(...REFERENCE_CHARS), maxLength: 80 }),
  // Near-valid shapes: host[:port]/path[:tag][@digest].
  fc.tuple(
    fc.constantFrom("", "localhost/", "127.0.0.1:5000/", "Ex.com/", "a.b:x/"),
    fc.string({
      unit: fc.constantFrom(..."abc0-_./".split("")),
      minLength: 1,
      maxLength: 40,
    }),
    fc.option(fc.string({ unit: fc.constantFrom(..."aZ9.-_".split("")) })),
    fc.option(
      fc.string({
        unit: fc.constantFrom(...DIGEST_HEX.split("")),
        minLength: 60,
        maxLength: 66,
      }),
    ),
  ).map(([host, path, tag, hex]) =>
    `${host}${path}${tag === null ? "" : `:${tag}`}${
      hex === null ? "" : `@sha256:${hex}`
    }`
  ),
);

Deno.test("parseNormalizedNamed() accepts and round-trips, or throws InvalidReferenceError", () => {
  const seen = { accepted: 0, rejected: 0 };
  fc.assert(
    fc.property(referenceText, (text) => {
      let formatted: string;
      try {
        formatted = formatReference(parseNormalizedNamed(text));
      } catch (error) {
        assert.ok(
          error instanceof InvalidReferenceError,
          `${(error as Error).name}: ${(error as Error).message}`,
        );
        assert.ok(!(error as Error).message.includes("\n"));
        seen.rejected++;
        return;
      }
      seen.accepted++;
      // What was accepted prints to a name that parses to itself.
      assert.equal(formatReference(parseNormalizedNamed(formatted)), formatted);
    }),
    PARAMS,
  );
  // Both paths must be exercised, or the generator is useless.
  assert.ok(seen.accepted > 50 && seen.rejected > 50, JSON.stringify(seen));
});

const VALID_DIGEST = `sha256:${"ab".repeat(32)}`;
const VALID_MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  config: {
    mediaType: "application/vnd.oci.image.config.v1+json",
    digest: VALID_DIGEST,
    size: 2,
  },
  layers: [{
    mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
    digest: VALID_DIGEST,
    size: 3,
  }],
});

/** Valid manifest bytes with a few bytes changed, cut, or a value swapped. */
const mutatedManifest = fc.tuple(
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
    maxLength: 4,
  }),
  fc.option(fc.nat()),
).map(([flips, cut]) => {
  const bytes = new TextEncoder().encode(VALID_MANIFEST);
  for (const [at, value] of flips) bytes[at % bytes.length] = value;
  return cut === null ? bytes : bytes.slice(0, cut % bytes.length);
});

/** Well-formed shapes with edge-case values (sizes, counts, annotations). */
const edgeManifest = fc.record({
  size: fc.oneof(fc.integer({ min: -2, max: 2 }), fc.maxSafeNat()),
  layers: fc.nat({ max: 3 }),
  annotations: fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
}).map(({ size, layers, annotations }) => {
  const parsed = JSON.parse(VALID_MANIFEST);
  parsed.config.size = size;
  parsed.layers = Array.from({ length: layers }, () => parsed.layers[0]);
  parsed.annotations = annotations;
  return new TextEncoder().encode(JSON.stringify(parsed));
});

const manifestBytes = fc.oneof(
  mutatedManifest,
  edgeManifest,
  fc.jsonValue({ maxDepth: 4 }).map((v) =>
    new TextEncoder().encode(JSON.stringify(v) ?? "")
  ),
  // Right keys, wrong value types.
  fc.record({
    schemaVersion: fc.jsonValue({ maxDepth: 1 }),
    mediaType: fc.oneof(
      fc.constantFrom(...ALL_MANIFEST_MEDIA_TYPES),
      fc.string(),
    ),
    config: fc.jsonValue({ maxDepth: 2 }),
    layers: fc.jsonValue({ maxDepth: 3 }),
    manifests: fc.jsonValue({ maxDepth: 3 }),
    fsLayers: fc.jsonValue({ maxDepth: 2 }),
    history: fc.jsonValue({ maxDepth: 2 }),
  }, { requiredKeys: [] }).map((v) =>
    new TextEncoder().encode(JSON.stringify(v))
  ),
  fc.uint8Array({ maxLength: 64 }),
);

Deno.test("parseManifest() parses or throws InvalidContentError on random bytes", () => {
  const seen = { accepted: 0, rejected: 0 };
  fc.assert(
    fc.property(
      manifestBytes,
      fc.constantFrom("", "text/plain", ...ALL_MANIFEST_MEDIA_TYPES),
      (bytes, mediaType) => {
        try {
          parseManifest({ bytes, mediaType });
          seen.accepted++;
        } catch (error) {
          seen.rejected++;
          assert.ok(
            error instanceof InvalidContentError,
            `${(error as Error).name}: ${(error as Error).message}`,
          );
        }
      },
    ),
    PARAMS,
  );
  assert.ok(seen.accepted > 20 && seen.rejected > 20, JSON.stringify(seen));
});

Deno.test("parseManifest() accepts the unmutated seed manifest", () => {
  // Guards the generator: mutations start from something valid.
  const parsed = parseManifest({
    bytes: new TextEncoder().encode(VALID_MANIFEST),
    mediaType: "",
  });
  assert.equal(parsed.kind, "image");
});
