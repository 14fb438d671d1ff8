import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './support/stack.ts';

/**
 * The OpenAPI document is generated from the controllers and committed (apps/api/openapi.json),
 * so API changes show up in review. This test fails when the two drift; refresh the file with
 * `UPDATE_OPENAPI=1 npx vitest run --project api apps/api/test/openapi.test.ts`.
 */
const committed = join(import.meta.dirname, '..', 'openapi.json');

describe('OpenAPI document', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());

  it('served at /docs/openapi.json equals the committed apps/api/openapi.json', async () => {
    const res = await stack.call('/docs/openapi.json');
    expect(res.status).toBe(200);
    const served = `${JSON.stringify(await res.json(), null, 2)}\n`;
    if (process.env.UPDATE_OPENAPI) await writeFile(committed, served);
    expect(served, 'the API changed: regenerate apps/api/openapi.json (see this test)').toBe(
      await readFile(committed, 'utf8'),
    );
  });
});
