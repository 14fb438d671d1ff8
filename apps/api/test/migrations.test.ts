import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const apiDir = resolve(import.meta.dirname, '..');
const repoRoot = resolve(apiDir, '../..');

describe('committed migrations', () => {
  let scratch: string | undefined;
  afterAll(() => (scratch ? rm(scratch, { recursive: true, force: true }) : undefined));

  it('match the Drizzle schema (CI fails when a schema change has no migration)', async () => {
    scratch = await mkdtemp(join(tmpdir(), 'cliprelay-migrations-'));
    const out = join(scratch, 'drizzle');
    await cp(join(apiDir, 'drizzle'), out, { recursive: true });
    const before = await readdir(out);
    const { stdout } = await run(
      'npx',
      [
        'drizzle-kit',
        'generate',
        '--dialect',
        'postgresql',
        '--schema',
        relative(repoRoot, join(apiDir, 'src/db/schema.ts')),
        // drizzle-kit resolves --out against the working directory.
        '--out',
        relative(repoRoot, out),
      ],
      { cwd: repoRoot },
    );
    expect(
      await readdir(out),
      `drizzle-kit wrote a new migration:\n${stdout}\nRun npm run db:generate.`,
    ).toEqual(before);
    expect(stdout).toContain('No schema changes');
  });
});
