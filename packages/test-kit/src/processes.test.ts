import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendPrivately } from './processes.ts';

describe('appendPrivately', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cliprelay-log-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function write(path: string, text: string): Promise<void> {
    const file = appendPrivately(path);
    file.end(text);
    await once(file, 'close');
  }

  it('creates the log readable by its owner only (0600)', async () => {
    const path = join(dir, 'api.log');
    await write(path, 'one\n');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('narrows a world-readable log an older run left, and appends to it', async () => {
    const path = join(dir, 'api.log');
    await writeFile(path, 'old\n', { mode: 0o644 });
    await write(path, 'new\n');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toBe('old\nnew\n');
  });
});
