/**
 * ULIDs name blocks (format reference §5.1): 48 bits of wall-clock milliseconds, big-endian,
 * then 80 cryptographically random bits, written as 26 characters of Crockford base32.
 */

import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ULID_RE = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i;
const MAX_TIME = 2 ** 48 - 1;

export function newULID(nowMs: number = Date.now()): string {
  if (!Number.isInteger(nowMs) || nowMs < 0 || nowMs > MAX_TIME) throw new Error(`ulid: time ${nowMs} out of range`);
  let out = '';
  // 10 characters of time: 50 bits, the top 2 always zero.
  let t = nowMs;
  const timeChars: string[] = [];
  for (let i = 0; i < 10; i++) {
    timeChars.push(ALPHABET[t % 32]!);
    t = Math.floor(t / 32);
  }
  out += timeChars.reverse().join('');
  // 16 characters of randomness: 80 bits = 16 × 5.
  const r = randomBytes(10);
  let acc = 0;
  let bits = 0;
  for (const b of r) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >>> bits) & 31]!;
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

export function isULID(s: string): boolean {
  return ULID_RE.test(s);
}

/** The creation time (Unix ms) in a ULID's first 10 characters. */
export function ulidTime(s: string): number {
  if (!isULID(s)) throw new Error(`ulid: ${JSON.stringify(s)} is not a ULID`);
  let t = 0;
  for (let i = 0; i < 10; i++) t = t * 32 + ALPHABET.indexOf(s[i]!.toUpperCase());
  return t;
}
