import type { Response } from 'express';

/**
 * A number written verbatim into JSON. TikTok's post ids are 19-digit int64s sent as JSON
 * numbers (§2.4); JavaScript numbers cannot hold them, so they travel as digit strings and are
 * spliced into the output text unquoted.
 */
export class RawNumber {
  constructor(readonly digits: string) {
    if (!/^-?\d+$/.test(digits)) throw new Error(`not an integer: ${digits}`);
  }

  toJSON(): string {
    return `\u0000RAW${this.digits}\u0000`;
  }
}

export function stringifyWithRawNumbers(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000RAW(-?\d+)\\u0000"/g, '$1');
}

export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).type('application/json; charset=utf-8').send(stringifyWithRawNumbers(body));
}
