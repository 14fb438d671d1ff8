/**
 * busboy's multipart boundary search, done by `Buffer.indexOf` (C++) instead of streamsearch's
 * Boyer-Moore-Horspool loop in JavaScript. A profile of a 1 GiB relay had streamsearch's `feed` as
 * the API's largest piece of JavaScript (~0.9 CPU-seconds per GiB: every byte of the video passes
 * through it); `indexOf` finds the same boundaries for a small fraction of that.
 *
 * `BoundarySearch` keeps streamsearch's contract, which busboy's parser is written against:
 * `push(chunk, pos)` calls `cb(isMatch, data, start, end, isDataSafe)` with the bytes between
 * needles, in order, `isMatch` on the call that ends at a needle, `isDataSafe` false when `data`
 * is our own buffer (busboy copies it then) rather than a view of the pushed chunk. Bytes at the
 * end of a chunk that could start a needle are held back until the next push, or `destroy()`.
 *
 * `useNativeBoundarySearch(parser)` swaps it into a busboy multipart parser, carrying over what
 * the parser already fed its search (busboy writes a CRLF in its constructor). If busboy's
 * internals ever change shape it leaves the parser as it is (correct, only slower), and the test
 * that checks the swap happens with the busboy we ship fails.
 */
import type { Writable } from 'node:stream';

type MatchCallback = (
  isMatch: boolean,
  data: Buffer | undefined,
  start: number,
  end: number,
  isDataSafe: boolean,
) => void;

export class BoundarySearch {
  /** Needles found so far (streamsearch's public counters, kept for the same shape). */
  matches = 0;
  maxMatches = Infinity;
  private readonly lookbehind: Buffer;
  private lookbehindSize = 0;

  constructor(
    private readonly needle: Buffer,
    private readonly cb: MatchCallback,
    held?: Buffer,
  ) {
    if (needle.length === 0) throw new Error('the boundary must not be empty');
    this.lookbehind = Buffer.allocUnsafe(needle.length);
    if (held && held.length > 0) {
      if (held.length >= needle.length) throw new Error('held-back bytes must be shorter than the needle');
      held.copy(this.lookbehind);
      this.lookbehindSize = held.length;
    }
  }

  push(chunk: Buffer, pos = 0): number {
    const len = chunk.length;
    const n = this.needle.length;
    if (this.lookbehindSize > 0) {
      pos = this.pushAfterHeld(chunk, pos);
      if (this.lookbehindSize > 0 || pos >= len) return len;
    }
    while (pos < len && this.matches < this.maxMatches) {
      const at = chunk.indexOf(this.needle, pos);
      if (at >= 0) {
        this.matches++;
        if (at > pos) this.cb(true, chunk, pos, at, true);
        else this.cb(true, undefined, 0, 0, true);
        pos = at + n;
        continue;
      }
      // No whole needle: one may start in the last n - 1 bytes and end in the next chunk.
      const tail = this.partialNeedleAt(chunk, Math.max(pos, len - n + 1));
      if (tail > pos) this.cb(false, chunk, pos, tail, true);
      if (tail < len) {
        chunk.copy(this.lookbehind, 0, tail, len);
        this.lookbehindSize = len - tail;
      }
      return len;
    }
    return pos;
  }

  /** The stream ended: bytes held back were data after all. */
  destroy(): void {
    const held = this.lookbehindSize;
    if (held) this.cb(false, this.lookbehind, 0, held, false);
    this.reset();
  }

  reset(): void {
    this.matches = 0;
    this.lookbehindSize = 0;
  }

  /**
   * Bytes were held back from the last chunk: looks for a needle that starts in them, using as
   * much of `chunk` as such a needle could reach. Returns where in `chunk` to go on; bytes still
   * held back (a needle may still start in them) stay in the lookbehind.
   */
  private pushAfterHeld(chunk: Buffer, pos: number): number {
    const n = this.needle.length;
    const held = this.lookbehindSize;
    const take = Math.min(chunk.length - pos, n - 1);
    const joined = Buffer.concat([this.lookbehind.subarray(0, held), chunk.subarray(pos, pos + take)]);
    for (let s = 0; s < held; s++) {
      const avail = joined.length - s;
      if (avail >= n) {
        if (joined.compare(this.needle, 0, n, s, s + n) !== 0) continue;
        this.lookbehindSize = 0;
        this.matches++;
        if (s > 0) this.cb(true, this.lookbehind, 0, s, false);
        else this.cb(true, undefined, 0, 0, true);
        return pos + s + n - held;
      }
      if (joined.compare(this.needle, 0, avail, s, joined.length) !== 0) continue;
      // Still only the start of a needle, up to the end of this (short) chunk: hold it all back.
      if (s > 0) this.cb(false, this.lookbehind, 0, s, false);
      joined.copy(this.lookbehind, 0, s);
      this.lookbehindSize = avail;
      return chunk.length;
    }
    this.lookbehindSize = 0;
    this.cb(false, this.lookbehind, 0, held, false);
    return pos;
  }

  /** The first position in [from, end) where the rest of `chunk` is the needle's beginning; else the end. */
  private partialNeedleAt(chunk: Buffer, from: number): number {
    const len = chunk.length;
    const first = this.needle[0]!;
    for (let t = chunk.indexOf(first, from); t >= 0 && t < len; t = chunk.indexOf(first, t + 1)) {
      if (chunk.compare(this.needle, 0, len - t, t, len) === 0) return t;
    }
    return len;
  }
}

/** What busboy 1.x's multipart parser keeps of its streamsearch instance. */
interface StreamSearchLike {
  _needle: unknown;
  _cb: unknown;
  _lookbehind: unknown;
  _lookbehindSize: unknown;
}

/**
 * Replaces the boundary search of a busboy multipart parser with `BoundarySearch`. Returns
 * whether it did: false for a parser of another shape (not multipart, or another busboy).
 */
export function useNativeBoundarySearch(parser: Writable): boolean {
  const target = parser as unknown as { _bparser?: Partial<StreamSearchLike> };
  const search = target._bparser;
  if (
    !search ||
    !Buffer.isBuffer(search._needle) ||
    typeof search._cb !== 'function' ||
    !Buffer.isBuffer(search._lookbehind) ||
    typeof search._lookbehindSize !== 'number'
  ) {
    return false;
  }
  const held = search._lookbehind.subarray(0, search._lookbehindSize);
  target._bparser = new BoundarySearch(search._needle, search._cb as MatchCallback, held) as never;
  return true;
}
