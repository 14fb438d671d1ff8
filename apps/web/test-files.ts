/**
 * Which of the web app's tests run where (CONTRIBUTING.md, "Test levels"):
 * - `src/**\/*.test.ts`: pure logic (the publish reducer, file checks, formatting) in Node, the
 *   `web-unit` project (vitest.unit.config.ts): no browser, no stack, the set in seconds;
 * - `src/**\/*.test.tsx`: components and screens in real Chromium against the real stack, the `web`
 *   project (vitest.config.ts).
 * A `.test.ts` that needs the browser or the stack is named in STACK_TS_TESTS: it runs in Chromium.
 */

/** `.test.ts` files that ask the real API from the browser (e.g. to provoke its real answers). */
export const STACK_TS_TESTS = ['src/features/publish/utils/describe-publish-error.test.ts'];

/** The `web-unit` project's files: every `.test.ts` but those above. */
export const NODE_TESTS = { include: ['src/**/*.test.ts'], exclude: STACK_TS_TESTS };

/** The `web` project's files. */
export const BROWSER_TESTS = ['src/**/*.test.tsx', ...STACK_TS_TESTS];
