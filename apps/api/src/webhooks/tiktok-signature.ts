/**
 * TikTok's webhook signature (tiktok-api.md §9): `TikTok-Signature: t=<unix seconds>,s=<hex>`,
 * where `s` is the HMAC-SHA256 of `"<t>.<raw body>"` keyed with the app's client secret. The
 * digest is compared in constant time, and then the timestamp's age: a delivery signed more than
 * `toleranceSec` from now (either way) is refused, so a captured request cannot be replayed later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Five minutes, the window Stripe and most webhook senders use; TikTok documents none. */
export const SIGNATURE_TOLERANCE_SEC = 300;

export type SignatureCheck =
  | { ok: true; timestampSec: number }
  | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' | 'expired' };

export function checkTikTokSignature(
  header: string | undefined,
  rawBody: Buffer,
  clientSecret: string,
  nowSec: number,
  toleranceSec = SIGNATURE_TOLERANCE_SEC,
): SignatureCheck {
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing' };
  const parts = new Map<string, string>();
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    if (at > 0) parts.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const t = parts.get('t');
  const s = parts.get('s');
  if (!t || !/^\d{1,12}$/.test(t) || !s || !/^[0-9a-fA-F]{64}$/.test(s)) {
    return { ok: false, reason: 'malformed' };
  }
  const expected = createHmac('sha256', clientSecret).update(`${t}.`).update(rawBody).digest();
  if (!timingSafeEqual(expected, Buffer.from(s, 'hex'))) return { ok: false, reason: 'mismatch' };
  const timestampSec = Number(t);
  if (Math.abs(nowSec - timestampSec) > toleranceSec) return { ok: false, reason: 'expired' };
  return { ok: true, timestampSec };
}
