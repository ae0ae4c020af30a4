// ARM's uniqueString(): Microsoft's two-lane MurmurHash64 over the UTF-8 arguments joined with '-',
// printed as 13 base-32 characters (reference azure-arm-surface §7.4).
import { createHash } from 'node:crypto';

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
const mul = (a: number, b: number) => Math.imul(a, b) >>> 0;
const add = (a: number, b: number) => (a + b) >>> 0;

function fmix(h: number): number {
  h = (h ^ (h >>> 16)) >>> 0;
  h = mul(h, 0x85ebca6b);
  h = (h ^ (h >>> 13)) >>> 0;
  h = mul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function murmurHash64(data: Uint8Array): bigint {
  let h1 = 0;
  let h2 = 0;
  const blocks = Math.floor(data.length / 8);
  const word = (at: number) => (data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24)) >>> 0;
  for (let i = 0; i < blocks; i++) {
    let k1 = word(i * 8);
    let k2 = word(i * 8 + 4);
    k1 = mul(rotl(mul(k1, C1), 15), C2);
    h1 = (h1 ^ k1) >>> 0;
    h1 = add(rotl(h1, 19), h2);
    h1 = add(mul(h1, 5), 0x561ccd1b);
    k2 = mul(rotl(mul(k2, C2), 17), C1);
    h2 = (h2 ^ k2) >>> 0;
    h2 = add(rotl(h2, 13), h1);
    h2 = add(mul(h2, 5), 0x0bcaa747);
  }
  const tail = data.length % 8;
  if (tail > 0) {
    const at = blocks * 8;
    let k1 = 0;
    for (let i = Math.min(tail, 4) - 1; i >= 0; i--) k1 = ((k1 << 8) | data[at + i]) >>> 0;
    k1 = mul(rotl(mul(k1, C1), 15), C2);
    h1 = (h1 ^ k1) >>> 0;
    if (tail > 4) {
      let k2 = 0;
      for (let i = tail - 1; i >= 4; i--) k2 = ((k2 << 8) | data[at + i]) >>> 0;
      k2 = mul(rotl(mul(k2, C2), 17), C1);
      h2 = (h2 ^ k2) >>> 0;
    }
  }
  h1 = (h1 ^ data.length) >>> 0;
  h2 = (h2 ^ data.length) >>> 0;
  h1 = add(h1, h2);
  h2 = add(h2, h1);
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = add(h1, h2);
  h2 = add(h2, h1);
  return (BigInt(h2) << 32n) | BigInt(h1);
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

export function uniqueString(...parts: string[]): string {
  let hash = murmurHash64(new TextEncoder().encode(parts.join('-')));
  let out = '';
  for (let i = 0; i < 13; i++) {
    out += ALPHABET[Number(hash >> 59n)];
    hash = (hash << 5n) & 0xffffffffffffffffn;
  }
  return out;
}

const GUID_NAMESPACE = '11fb06fb-712d-4ddd-98c7-e71bbd588830';

/** ARM's guid(): an RFC 4122 version-5 UUID in ARM's namespace over the arguments joined with '-'. */
export function armGuid(...parts: string[]): string {
  const namespace = Buffer.from(GUID_NAMESPACE.replace(/-/g, ''), 'hex');
  const bytes = createHash('sha1').update(namespace).update(parts.join('-'), 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
