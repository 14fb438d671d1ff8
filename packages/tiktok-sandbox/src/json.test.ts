import { describe, expect, it } from 'vitest';
import { RawNumber, stringifyWithRawNumbers } from './json.ts';

describe('raw JSON numbers (tiktok-api.md §2.4)', () => {
  it('writes 19-digit ids as bare numbers that JSON.parse cannot hold exactly', () => {
    const text = stringifyWithRawNumbers({
      ids: [new RawNumber('7493784938978805793')],
      title: 'a "quoted" RAW',
    });
    expect(text).toBe('{"ids":[7493784938978805793],"title":"a \\"quoted\\" RAW"}');
    const parsed = JSON.parse(text) as { ids: number[] };
    expect(String(parsed.ids[0])).not.toBe('7493784938978805793');
  });

  it('refuses anything but an integer', () => {
    expect(() => new RawNumber('12a')).toThrow();
  });
});
