import { randomBytes, randomInt, randomUUID } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function alnum(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALNUM[b % ALNUM.length];
  return out;
}

function digits(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String(randomInt(10));
  return out;
}

/** A 19-digit id like TikTok's (first digit 7, so it is a positive int64 beyond 2^53). */
export function id19(): string {
  return `7${digits(18)}`;
}

/** §7.7 [obs]: "act." + ~60 alphanumerics + "!NNNN" + ".e1". */
export function accessToken(): string {
  return `act.${alnum(60)}!${digits(4)}.e1`;
}

export function refreshToken(): string {
  return `rft.${alnum(60)}!${digits(4)}.e1`;
}

/** Authorization codes carry characters that a client must URL-decode ('*' and '!'). */
export function authCode(): string {
  return `${alnum(40)}*0!${digits(4)}.va`;
}

export function openId(): string {
  return randomUUID();
}

export function unionId(): string {
  return randomUUID();
}

export function uploadToken(): string {
  return randomUUID();
}

/** §2.0: YYYYMMDDhhmmss (UTC) + 20 upper-case hex characters. */
export function logId(nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return stamp + randomBytes(10).toString('hex').toUpperCase();
}

export function publishId(source: 'FILE_UPLOAD' | 'PULL_FROM_URL'): string {
  return source === 'FILE_UPLOAD' ? `v_pub_file~v2-1.${id19()}` : `v_pub_url~v2.${id19()}`;
}
