/**
 * CRC-64 with the ISO polynomial, as Go's `hash/crc64` computes it with
 * `crc64.MakeTable(crc64.ISO)`: tar-split stores this checksum of every
 * file body so that a reassembled layer can be checked file by file. It is
 * an integrity check, not a content digest (those live in core/digest.ts).
 *
 * @module
 */

// Slicing-by-8 tables, each 64-bit entry as two 32-bit halves: JavaScript
// bit operations are 32-bit, and BigInt per byte would be far slower.
// TABLE_HI[k * 256 + i] / TABLE_LO[…] is table k, entry i.
const TABLE_HI = new Uint32Array(8 * 256);
const TABLE_LO = new Uint32Array(8 * 256);
{
  // ISO 3309 polynomial, bit-reversed: 0xD800000000000000.
  const polyHi = 0xd8000000;
  for (let i = 0; i < 256; i++) {
    let hi = 0;
    let lo = i;
    for (let bit = 0; bit < 8; bit++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | (hi << 31)) >>> 0;
      hi = hi >>> 1;
      if (carry) hi = (hi ^ polyHi) >>> 0;
    }
    TABLE_HI[i] = hi;
    TABLE_LO[i] = lo;
  }
  for (let k = 1; k < 8; k++) {
    for (let i = 0; i < 256; i++) {
      const prevHi = TABLE_HI[(k - 1) * 256 + i]!;
      const prevLo = TABLE_LO[(k - 1) * 256 + i]!;
      const index = prevLo & 0xff;
      TABLE_LO[k * 256 + i] = (((prevLo >>> 8) | (prevHi << 24)) ^
        TABLE_LO[index]!) >>> 0;
      TABLE_HI[k * 256 + i] = ((prevHi >>> 8) ^ TABLE_HI[index]!) >>> 0;
    }
  }
}

/**
 * Incremental CRC-64/ISO, Go-compatible.
 *
 * @example
 * ```ts
 * import { Crc64 } from "./crc64.ts";
 * const crc = new Crc64();
 * crc.update(new TextEncoder().encode("123456789"));
 * console.assert(crc.hex() === "b90956c775a41001");
 * ```
 */
export class Crc64 {
  // Go's update works on the complemented value; keep it complemented.
  #hi = 0xffffffff;
  #lo = 0xffffffff;

  /** Adds bytes. */
  update(bytes: Uint8Array): void {
    let hi = this.#hi;
    let lo = this.#lo;
    let i = 0;
    const end8 = bytes.length - (bytes.length % 8);
    const H = TABLE_HI;
    const L = TABLE_LO;
    for (; i < end8; i += 8) {
      const a = lo ^ (bytes[i]! | (bytes[i + 1]! << 8) |
        (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
      const b = hi ^ (bytes[i + 4]! | (bytes[i + 5]! << 8) |
        (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24));
      const i7 = 7 * 256 + (a & 0xff);
      const i6 = 6 * 256 + ((a >>> 8) & 0xff);
      const i5 = 5 * 256 + ((a >>> 16) & 0xff);
      const i4 = 4 * 256 + (a >>> 24);
      const i3 = 3 * 256 + (b & 0xff);
      const i2 = 2 * 256 + ((b >>> 8) & 0xff);
      const i1 = 256 + ((b >>> 16) & 0xff);
      const i0 = b >>> 24;
      lo = L[i7]! ^ L[i6]! ^ L[i5]! ^ L[i4]! ^ L[i3]! ^ L[i2]! ^ L[i1]! ^
        L[i0]!;
      hi = H[i7]! ^ H[i6]! ^ H[i5]! ^ H[i4]! ^ H[i3]! ^ H[i2]! ^ H[i1]! ^
        H[i0]!;
    }
    for (; i < bytes.length; i++) {
      const index = (lo ^ bytes[i]!) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ L[index]!;
      hi = (hi >>> 8) ^ H[index]!;
    }
    this.#hi = hi >>> 0;
    this.#lo = lo >>> 0;
  }

  /** The checksum as 8 big-endian bytes (Go's `Sum(nil)`). */
  sum(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(8);
    const view = new DataView(out.buffer);
    view.setUint32(0, ~this.#hi >>> 0);
    view.setUint32(4, ~this.#lo >>> 0);
    return out;
  }

  /** The checksum as 16 lowercase hex digits. */
  hex(): string {
    return Array.from(this.sum(), (b) => b.toString(16).padStart(2, "0"))
      .join("");
  }
}
