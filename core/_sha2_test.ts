import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { pureHash } from "./_sha2.ts";

function randomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

for (const algorithm of ["sha256", "sha512"] as const) {
  Deno.test(`pureHash("${algorithm}") matches node:crypto around every block boundary`, () => {
    const lengths = [
      0,
      1,
      3,
      55,
      56,
      57,
      63,
      64,
      65,
      111,
      112,
      113,
      127,
      128,
      129,
      200,
      1000,
      4099,
    ];
    for (const [i, length] of lengths.entries()) {
      const data = randomBytes(length, i + 7);
      const hash = pureHash(algorithm);
      hash.update(data);
      assert.equal(
        hash.hexDigest(),
        createHash(algorithm).update(data).digest("hex"),
        `length ${length}`,
      );
    }
  });

  Deno.test(`pureHash("${algorithm}") gives the same digest for any split of the input`, () => {
    const data = randomBytes(777, 42);
    const expected = createHash(algorithm).update(data).digest("hex");
    for (const step of [1, 5, 63, 64, 129, 500]) {
      const hash = pureHash(algorithm);
      for (let at = 0; at < data.length; at += step) {
        hash.update(data.subarray(at, at + step));
      }
      assert.equal(hash.hexDigest(), expected, `step ${step}`);
    }
  });
}
