import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/webhooks/dispatcher.js';
import { sign, verify } from '../../src/webhooks/signature.js';
import { isPrivateAddress } from '../../src/webhooks/target.js';

const SECRET = 'whsec-test-0123456789abcdef';
const BODY = '{"id":"r.1"}';

describe('webhook signature', () => {
  it('is HMAC-SHA256 of "<t>.<body>" in hex (vector computed with openssl dgst -sha256 -hmac)', () => {
    expect(sign(SECRET, BODY, 1_700_000_000)).toBe('t=1700000000,v1=7e405045cf8d4efe4a951741272bb3a3467169638ccd39a9352e2537a3ea3c81');
  });

  it.each([
    ['the signed body', BODY, undefined, true],
    ['another body', '{"id":"r.2"}', undefined, false],
    ['another timestamp', BODY, 't=1700000001,v1=7e405045cf8d4efe4a951741272bb3a3467169638ccd39a9352e2537a3ea3c81', false],
    ['a missing header', BODY, '', false],
    ['garbage', BODY, 'v1=abc', false],
  ])('verify: %s → %s', (_name, body, header, expected) => {
    const now = 1_700_000_000_000;
    expect(verify(SECRET, body, header ?? sign(SECRET, BODY, 1_700_000_000), 300, now)).toBe(expected);
  });

  it('refuses a signature older than the tolerance (replay)', () => {
    const header = sign(SECRET, BODY, 1_700_000_000);
    expect(verify(SECRET, BODY, header, 300, 1_700_000_299_000)).toBe(true);
    expect(verify(SECRET, BODY, header, 300, 1_700_000_301_000)).toBe(false);
  });
});

describe('webhook retry delays', () => {
  const defaults = { retryBaseMs: 1000, retryMaxMs: 3_600_000 };
  it('retries first within 5 s, then doubles up to the cap', () => {
    expect(retryDelayMs(defaults, 1, 1)).toBeLessThanOrEqual(5000);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(defaults, n, 0.5))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(defaults, 30, 0.5)).toBe(3_600_000);
  });
  it('covers 24 h with a bounded number of attempts', () => {
    let elapsed = 0;
    let attempts = 0;
    while (elapsed < 24 * 3600 * 1000) elapsed += retryDelayMs(defaults, ++attempts, 0.5);
    expect(attempts).toBeGreaterThan(20);
    expect(attempts).toBeLessThan(40);
  });
});

describe('private addresses', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.20.30.40', true],
    ['172.16.0.1', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:93.184.216.34', false],
    ['93.184.216.34', false],
    ['2606:2800:220:1:248:1893:25c8:1946', false],
  ])('%s → %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});
