import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkTikTokSignature } from './tiktok-signature.ts';

const SECRET = 'client-secret';
const body = Buffer.from('{"event":"post.publish.complete","content":"{}"}');
const sign = (t: number, raw = body, secret = SECRET) =>
  `t=${t},s=${createHmac('sha256', secret).update(`${t}.${raw.toString()}`).digest('hex')}`;
const now = 1_800_000_000;

describe('checkTikTokSignature', () => {
  it('accepts TikTok\'s signature of "<t>.<raw body>" within five minutes either way', () => {
    expect(checkTikTokSignature(sign(now), body, SECRET, now)).toEqual({ ok: true, timestampSec: now });
    expect(checkTikTokSignature(sign(now - 299), body, SECRET, now).ok).toBe(true);
    expect(checkTikTokSignature(sign(now + 299), body, SECRET, now).ok).toBe(true);
  });

  it('refuses an old or far-future timestamp even when the digest matches', () => {
    expect(checkTikTokSignature(sign(now - 301), body, SECRET, now)).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(checkTikTokSignature(sign(now + 301), body, SECRET, now)).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('refuses another secret, another body, or a timestamp that was changed after signing', () => {
    expect(checkTikTokSignature(sign(now, body, 'other'), body, SECRET, now).ok).toBe(false);
    expect(checkTikTokSignature(sign(now), Buffer.from(`${body.toString()} `), SECRET, now)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    const moved = sign(now - 1000).replace(`t=${now - 1000}`, `t=${now}`);
    expect(checkTikTokSignature(moved, body, SECRET, now)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('tells a missing header from a malformed one', () => {
    expect(checkTikTokSignature(undefined, body, SECRET, now)).toEqual({ ok: false, reason: 'missing' });
    for (const header of ['s=abc', `t=${now}`, `t=x,s=${'0'.repeat(64)}`, `t=${now},s=zz`, 'garbage']) {
      expect(checkTikTokSignature(header, body, SECRET, now)).toEqual({ ok: false, reason: 'malformed' });
    }
  });
});
