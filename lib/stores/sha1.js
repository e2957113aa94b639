'use strict';
// SHA-1 (FIPS 180-4, section 6.1) of a string's UTF-8 bytes, in plain
// JavaScript. RedisStore names its scripts by SHA-1 (EVALSHA) and
// PostgresStore derives statement names and its schema lock from one; both
// need it synchronously and on small inputs, in every runtime hookwise runs
// in (no node:crypto on Vercel Edge, where a fetch-based pg-compatible client
// can still be used). Not used for anything secret.

const encoder = new TextEncoder();

const rotl = (x, n) => (x << n) | (x >>> (32 - n));

/** The 20-byte digest of `text` (UTF-8). */
function sha1(text) {
  const data = encoder.encode(text);
  const bitLength = data.length * 8;
  // Message, 0x80, zeros, then the 64-bit big-endian bit length: a multiple of 64 bytes.
  const padded = new Uint8Array(Math.ceil((data.length + 9) / 64) * 64);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bitLength / 0x100000000));
  view.setUint32(padded.length - 4, bitLength >>> 0);

  let h0 = 0x67452301;
  let h1 = 0xefcdab89;
  let h2 = 0x98badcfe;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0;
  const w = new Int32Array(80);
  for (let block = 0; block < padded.length; block += 64) {
    for (let t = 0; t < 16; t++) w[t] = view.getInt32(block + t * 4);
    for (let t = 16; t < 80; t++) w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    for (let t = 0; t < 80; t++) {
      let f;
      let k;
      if (t < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (t < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6;
      }
      const temp = (rotl(a, 5) + f + e + k + w[t]) | 0;
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = temp;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  const out = new Uint8Array(20);
  const outView = new DataView(out.buffer);
  [h0, h1, h2, h3, h4].forEach((h, i) => outView.setInt32(i * 4, h));
  return out;
}

const sha1Hex = (text) => Array.from(sha1(text), (b) => b.toString(16).padStart(2, '0')).join('');

/** The first 8 bytes of sha1(text) as a signed 64-bit integer (Buffer#readBigInt64BE(0)). */
const sha1BigInt64 = (text) => new DataView(sha1(text).buffer).getBigInt64(0);

module.exports = { sha1, sha1Hex, sha1BigInt64 };
