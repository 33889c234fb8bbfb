/**
 * SHA-256 and SHA-512 in plain JavaScript, for `core/digest.ts` only: they
 * hash manifests and configs in memory without loading `node:crypto`,
 * whose start-up (~25–45 ms here) would otherwise be paid by copies that
 * stream no blob (re-copies, mounts) and by `inspect`. Blobs are hashed
 * with `node:crypto` (1.2 GB/s); these are for kilobytes.
 *
 * SHA-256's constants are a table (deriving them costs ~2 ms); SHA-512's
 * are derived at first use from the primes (FIPS 180-4 §4.2.3), which
 * spares a longer table that a typo could corrupt.
 *
 * @module
 */

/** An incremental hash. */
export interface PureHash {
  /** Adds bytes. */
  update(data: Uint8Array): void;
  /** The hash of everything added, as lowercase hex; call once. */
  hexDigest(): string;
}

function primes(count: number): bigint[] {
  const found: bigint[] = [];
  for (let n = 2; found.length < count; n++) {
    if (found.every((p) => BigInt(n) % p !== 0n)) found.push(BigInt(n));
  }
  return found;
}

/** ⌊n^(1/k)⌋ for k = 2 or 3, by Newton's method on integers. */
function integerRoot(n: bigint, k: 2n | 3n): bigint {
  let x = 1n << (BigInt(n.toString(2).length) / k + 1n);
  for (;;) {
    const next = ((k - 1n) * x + n / x ** (k - 1n)) / k;
    if (next >= x) break;
    x = next;
  }
  while ((x + 1n) ** k <= n) x++;
  while (x ** k > n) x--;
  return x;
}

/** The first `bits` bits of the fractional parts of the k-th roots of primes. */
function fractionBits(count: number, k: 2n | 3n, bits: bigint): bigint[] {
  const mask = (1n << bits) - 1n;
  return primes(count).map((p) => integerRoot(p << (bits * k), k) & mask);
}

/** FIPS 180-4 §4.2.2 (checked against node:crypto by the tests). */
const SHA256_K = new Uint32Array([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
]);
/** FIPS 180-4 §5.3.3. */
const SHA256_H = new Uint32Array([
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
]);

class Sha256 implements PureHash {
  readonly #h: Uint32Array;
  readonly #w = new Uint32Array(64);
  readonly #block = new Uint8Array(64);
  #used = 0;
  #length = 0;

  constructor() {
    this.#h = SHA256_H.slice();
  }

  update(data: Uint8Array): void {
    this.#length += data.byteLength;
    let at = 0;
    while (at < data.byteLength) {
      const take = Math.min(64 - this.#used, data.byteLength - at);
      this.#block.set(data.subarray(at, at + take), this.#used);
      this.#used += take;
      at += take;
      if (this.#used === 64) {
        this.#compress();
        this.#used = 0;
      }
    }
  }

  hexDigest(): string {
    const bits = this.#length * 8;
    this.update(new Uint8Array([0x80]));
    if (this.#used > 56) this.update(new Uint8Array(64 - this.#used));
    this.update(new Uint8Array(56 - this.#used));
    const tail = new DataView(new ArrayBuffer(8));
    tail.setUint32(0, Math.floor(bits / 2 ** 32));
    tail.setUint32(4, bits >>> 0);
    this.update(new Uint8Array(tail.buffer));
    return Array.from(this.#h, (v) => v.toString(16).padStart(8, "0")).join(
      "",
    );
  }

  #compress(): void {
    compress256(this.#h, this.#w, this.#block);
  }
}

/**
 * One SHA-256 block. A plain function over locals: it mostly runs cold
 * (a few blocks per command), where V8's interpreter pays for every
 * private field and array destructuring (~2× slower measured).
 */
function compress256(h: Uint32Array, w: Uint32Array, b: Uint8Array): void {
  const k = SHA256_K;
  for (let t = 0; t < 16; t++) {
    const i = t << 2;
    w[t] = (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
  }
  for (let t = 16; t < 64; t++) {
    const x = w[t - 15]!;
    const y = w[t - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^
      (y >>> 10);
    w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0;
  }
  let a = h[0]!;
  let bb = h[1]!;
  let c = h[2]!;
  let d = h[3]!;
  let e = h[4]!;
  let f = h[5]!;
  let g = h[6]!;
  let hh = h[7]!;
  for (let t = 0; t < 64; t++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^
      ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (hh + s1 + ch + k[t]! + w[t]!) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^
      ((a >>> 22) | (a << 10));
    const maj = (a & bb) ^ (a & c) ^ (bb & c);
    const t2 = (s0 + maj) | 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = bb;
    bb = a;
    a = (t1 + t2) | 0;
  }
  h[0] = h[0]! + a;
  h[1] = h[1]! + bb;
  h[2] = h[2]! + c;
  h[3] = h[3]! + d;
  h[4] = h[4]! + e;
  h[5] = h[5]! + f;
  h[6] = h[6]! + g;
  h[7] = h[7]! + hh;
}

let sha512Constants: { k: bigint[]; h: bigint[] } | undefined;

const MASK64 = (1n << 64n) - 1n;

function rotr64(x: bigint, n: bigint): bigint {
  return ((x >> n) | (x << (64n - n))) & MASK64;
}

/** SHA-512 on BigInt words: slow (for manifests by sha512 digest only). */
class Sha512 implements PureHash {
  readonly #k: bigint[];
  readonly #h: bigint[];
  readonly #block = new Uint8Array(128);
  #used = 0;
  #length = 0;

  constructor() {
    sha512Constants ??= {
      k: fractionBits(80, 3n, 64n),
      h: fractionBits(8, 2n, 64n),
    };
    this.#k = sha512Constants.k;
    this.#h = sha512Constants.h.slice();
  }

  update(data: Uint8Array): void {
    this.#length += data.byteLength;
    let at = 0;
    while (at < data.byteLength) {
      const take = Math.min(128 - this.#used, data.byteLength - at);
      this.#block.set(data.subarray(at, at + take), this.#used);
      this.#used += take;
      at += take;
      if (this.#used === 128) {
        this.#compress();
        this.#used = 0;
      }
    }
  }

  hexDigest(): string {
    const bits = BigInt(this.#length) * 8n;
    this.update(new Uint8Array([0x80]));
    if (this.#used > 112) this.update(new Uint8Array(128 - this.#used));
    this.update(new Uint8Array(112 - this.#used));
    const tail = new DataView(new ArrayBuffer(16));
    tail.setBigUint64(0, bits >> 64n);
    tail.setBigUint64(8, bits & MASK64);
    this.update(new Uint8Array(tail.buffer));
    return this.#h.map((v) => v.toString(16).padStart(16, "0")).join("");
  }

  #compress(): void {
    const view = new DataView(this.#block.buffer);
    const w: bigint[] = [];
    for (let t = 0; t < 16; t++) w.push(view.getBigUint64(8 * t));
    for (let t = 16; t < 80; t++) {
      const x = w[t - 15]!;
      const y = w[t - 2]!;
      const s0 = rotr64(x, 1n) ^ rotr64(x, 8n) ^ (x >> 7n);
      const s1 = rotr64(y, 19n) ^ rotr64(y, 61n) ^ (y >> 6n);
      w.push((w[t - 16]! + s0 + w[t - 7]! + s1) & MASK64);
    }
    const h = this.#h;
    let [a, b, c, d, e, f, g, hh] = h as [
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
    ];
    for (let t = 0; t < 80; t++) {
      const s1 = rotr64(e, 14n) ^ rotr64(e, 18n) ^ rotr64(e, 41n);
      const ch = (e & f) ^ (~e & MASK64 & g);
      const t1 = (hh + s1 + ch + this.#k[t]! + w[t]!) & MASK64;
      const s0 = rotr64(a, 28n) ^ rotr64(a, 34n) ^ rotr64(a, 39n);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      hh = g;
      g = f;
      f = e;
      e = (d + t1) & MASK64;
      d = c;
      c = b;
      b = a;
      a = (t1 + s0 + maj) & MASK64;
    }
    const next = [a, b, c, d, e, f, g, hh];
    for (let i = 0; i < 8; i++) h[i] = (h[i]! + next[i]!) & MASK64;
  }
}

/**
 * A plain-JavaScript hash.
 *
 * @param algorithm `sha256` or `sha512`.
 * @returns A new incremental hash.
 */
export function pureHash(algorithm: "sha256" | "sha512"): PureHash {
  return algorithm === "sha512" ? new Sha512() : new Sha256();
}
