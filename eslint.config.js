// @ts-check
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// Layers (apps/api/README.md "How it is built", apps/web/README.md, the sandbox's README), held by
// ESLint's no-restricted-imports: one block per layer, on import specifiers (`import type` too).
// A file gets one block's list: ESLint replaces a rule's options block by block, never merges them.

/** Nest's HTTP names: routes and their parameters, statuses, HTTP exceptions, guards and pipes. */
const NEST_HTTP_NAMES =
  '^(Controller|Get|Post|Put|Patch|Delete|All|Options|Head|Search|Req|Request|Res|Response|Next|Body|' +
  'Query|Param|Headers?|Ip|HostParam|Session|UploadedFiles?|Redirect|Render|Sse|StreamableFile|' +
  'RawBodyRequest|Http[A-Za-z]*|[A-Za-z]*Exception|Use(Guards|Interceptors|Filters|Pipes)|CanActivate|' +
  'NestInterceptor|ExceptionFilter|ArgumentsHost|PipeTransform)$';

/**
 * The API's HTTP edge: controllers and what they share (request decorators, the exception filter,
 * the validation pipe, rate limits, security headers, the auth guard), the app's bootstrap, the
 * tus protocol adapter and the OAuth cookie. Everything else is Express- and Nest-HTTP-free.
 */
const API_HTTP_EDGE = [
  'apps/api/src/**/*.controller.ts',
  'apps/api/src/common/**',
  'apps/api/src/auth/auth.guard.ts',
  'apps/api/src/app.ts',
  'apps/api/src/main.ts',
  'apps/api/src/relay/tus-uploads.ts',
  'apps/api/src/tiktok/oauth-browser-cookie.ts',
  'apps/api/src/testing/**',
  'apps/api/src/**/*.test.ts',
];

/** The web app's feature folders: apps/web/src/features/<feature>. */
const WEB_FEATURES = readdirSync(new URL('apps/web/src/features/', import.meta.url), {
  withFileTypes: true,
})
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

const layers = [
  {
    files: ['apps/api/src/**/*.controller.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '\\.repository(\\.ts)?$',
              message: 'A controller calls a service; repositories are for services (apps/api/README.md).',
            },
            {
              regex: '(^|/)db(/|$)|^(drizzle-orm|pg)(/|$)',
              message: 'A controller does not touch the database: its service does (apps/api/README.md).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/api/src/**/*.ts'],
    ignores: API_HTTP_EDGE,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(express|@nestjs/platform-express)(/|$)',
              message:
                'Only the HTTP edge (controllers, common/) sees Express: pass what the use case needs.',
            },
            {
              regex: '^@nestjs/common$',
              importNamePattern: NEST_HTTP_NAMES,
              message:
                'Services throw AppError(code, …) and know no HTTP: that is the controllers’ and the filter’s.',
            },
          ],
        },
      ],
    },
  },
  ...WEB_FEATURES.flatMap((feature) => {
    const others = WEB_FEATURES.filter((f) => f !== feature);
    if (others.length === 0) return [];
    return {
      files: [`apps/web/src/features/${feature}/**/*.{ts,tsx}`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                // ../history/…, ../../history/…, ../../../features/history/…: another feature's folder.
                regex: `^(\\.\\./)+(features/)?(${others.join('|')})(/|$)`,
                message:
                  'Features never import each other: move what both need to src/lib, src/api or src/components.',
              },
            ],
          },
        ],
      },
    };
  }),
  {
    files: ['packages/tiktok-sandbox/**/*.{ts,mjs,js}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^@cliprelay/(contract|api)(/|$)|(^|/)(apps/api|packages/contract)(/|$)',
              message:
                'The sandbox is written from TikTok’s docs, so it can catch our misreadings: it imports neither the contract nor the API.',
            },
          ],
        },
      ],
    },
  },
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.dist-*/**',
      '**/.data/**',
      '**/coverage/**',
      '**/test-results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'packages/*/bin/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
    },
  },
  ...layers,
  {
    // The web app runs in browsers; its hooks follow React's rules.
    files: ['apps/web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    // Tests read JSON bodies of many shapes from real servers; asserting on them is the point.
    files: ['**/test/**/*.ts', '**/*.test.ts', '**/*.test.tsx', '**/testing/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
