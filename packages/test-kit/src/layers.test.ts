/**
 * The layers the repository's ESLint config holds (eslint.config.js, `no-restricted-imports`):
 * the real config, run on files that are not in the tree, at the paths whose block they test.
 * Type-aware rules are switched off here only because such files are in no tsconfig project.
 */
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './repo.ts';

const eslint = new ESLint({
  cwd: REPO_ROOT,
  overrideConfig: tseslint.configs.disableTypeChecked as Linter.Config,
});

async function lint(filePath: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: `${REPO_ROOT}${filePath}` });
  return result!.messages;
}

/** The layer errors of a file; any other message (a parse error, another rule) fails the test. */
async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const messages = await lint(filePath, code);
  expect(messages.filter((m) => m.ruleId !== 'no-restricted-imports')).toEqual([]);
  return messages.map((m) => m.message);
}

describe('the API: controllers → services → repositories', () => {
  const controller = 'apps/api/src/publish/example.controller.ts';

  it('refuses a controller that imports a repository', async () => {
    const errors = await layerErrors(
      controller,
      "import { MediaRepository } from './media.repository.ts';\nexport const uses = [MediaRepository];\n",
    );
    expect(errors).toEqual([expect.stringContaining('A controller calls a service')]);
  });

  it('refuses a controller that imports a type from db/', async () => {
    const errors = await layerErrors(
      controller,
      "import type { MediaRow } from '../db/schema.ts';\nexport type Row = MediaRow;\n",
    );
    expect(errors).toEqual([expect.stringContaining('does not touch the database')]);
  });

  it('lets a controller import its service, Express and Nest’s HTTP decorators', async () => {
    const errors = await layerErrors(
      controller,
      "import { Controller, Res } from '@nestjs/common';\n" +
        "import type { Response } from 'express';\n" +
        "import { MediaService } from './media.service.ts';\n" +
        'export type Out = Response;\n' +
        'export const uses = [Controller, Res, MediaService];\n',
    );
    expect(errors).toEqual([]);
  });

  it('refuses a service that imports Express, even a type', async () => {
    const errors = await layerErrors(
      'apps/api/src/publish/example.service.ts',
      "import type { Request } from 'express';\nexport type In = Request;\n",
    );
    expect(errors).toEqual([expect.stringContaining('Only the HTTP edge')]);
  });

  it('refuses a service that throws Nest’s HTTP exceptions, and lets it be injectable', async () => {
    const errors = await layerErrors(
      'apps/api/src/relay/example.service.ts',
      "import { HttpException, Inject, Injectable, NotFoundException } from '@nestjs/common';\n" +
        'export const uses = [HttpException, Inject, Injectable, NotFoundException];\n',
    );
    expect(errors).toEqual([
      expect.stringContaining("'HttpException' import from '@nestjs/common' is restricted"),
      expect.stringContaining("'NotFoundException' import from '@nestjs/common' is restricted"),
    ]);
    expect(errors[0]).toContain('Services throw AppError');
  });

  it('holds a repository to the same: no HTTP below the controllers', async () => {
    const errors = await layerErrors(
      'apps/api/src/publish/example.repository.ts',
      "import type { Response } from 'express';\nexport type Out = Response;\n",
    );
    expect(errors).toHaveLength(1);
  });
});

describe('the web app: features never import each other', () => {
  it('refuses a feature that imports another feature', async () => {
    const errors = await layerErrors(
      'apps/web/src/features/publish/components/example.tsx',
      "import { POSTS_LIMIT } from '../../history/api/get-posts.ts';\n" +
        "import { useConnectAccount } from '../../../features/accounts/api/connect-account.ts';\n" +
        'export const uses = [POSTS_LIMIT, useConnectAccount];\n',
    );
    expect(errors).toEqual([
      expect.stringContaining('Features never import each other'),
      expect.stringContaining('Features never import each other'),
    ]);
  });

  it('lets a feature import its own files and the shared folders', async () => {
    const errors = await layerErrors(
      'apps/web/src/features/history/hooks/example.ts',
      "import { historyKey } from '../api/get-posts.ts';\n" +
        "import { publishDraftLocation } from '../../../lib/publish-draft.ts';\n" +
        "import { socialAccountsKey } from '../../../api/social-accounts.ts';\n" +
        'export const uses = [historyKey, publishDraftLocation, socialAccountsKey];\n',
    );
    expect(errors).toEqual([]);
  });
});

describe('the TikTok sandbox: written from the docs, not from our code', () => {
  it('refuses the contract and the API', async () => {
    const errors = await layerErrors(
      'packages/tiktok-sandbox/src/example.ts',
      "import { describeTikTokError } from '@cliprelay/contract';\n" +
        "import type { TikTokPostInfo } from '../../../apps/api/src/tiktok/tiktok.types.ts';\n" +
        'export type Info = TikTokPostInfo;\n' +
        'export const uses = [describeTikTokError];\n',
    );
    expect(errors).toEqual([
      expect.stringContaining('imports neither the contract nor the API'),
      expect.stringContaining('imports neither the contract nor the API'),
    ]);
  });

  it('lets the sandbox import its own modules', async () => {
    const errors = await layerErrors(
      'packages/tiktok-sandbox/src/example.ts',
      "import { creatorView } from './views.ts';\nexport const uses = [creatorView];\n",
    );
    expect(errors).toEqual([]);
  });
});
