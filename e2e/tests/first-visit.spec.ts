/**
 * The first visit (issue 14): the JavaScript of index.html — its scripts and module preloads, as
 * `npm start`'s host sends them — weighs at most 250 KB gzip, and it is all that a signed-out
 * visitor's browser fetches to show the sign-in screen: the signed-in frame and its screens come
 * later, when shown (apps/web/README.md, "The first visit").
 */
import { FIRST_VISIT_BUDGET, measureHost } from '@cliprelay/test-kit/first-visit';
import { expect, test } from '../support/fixtures.ts';

test('the first visit fetches at most 250 KB of JavaScript (gzip), and no screen before sign-in', async ({
  page,
  product,
}, testInfo) => {
  const size = await measureHost(product.web);
  testInfo.annotations.push({
    type: 'first visit',
    description: `${size.gzip} B gzip, ${size.brotli} B brotli, ${size.raw} B raw`,
  });
  expect(size.gzip).toBeLessThanOrEqual(FIRST_VISIT_BUDGET);

  const fetched: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'script') fetched.push(new URL(request.url()).pathname);
  });
  await page.goto(`${product.web}/publish`);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  expect(fetched.toSorted()).toEqual(size.scripts.map((s) => s.path).toSorted());
});
