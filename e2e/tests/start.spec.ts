/**
 * `npm start` as a user meets it (README): a busy port is named with the variable that moves it;
 * Ctrl-C stops every part; a second start finds the same data — the signed-in session, the
 * connected TikTok account, the media library, the sandbox's creators.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, TikTokSandbox } from '../support/fixtures.ts';
import { accountCard, connectTikTok, signIn } from '../support/journey.ts';
import { freePorts, npmStart, openPorts, whenReady } from '../support/npm-start.ts';

let dataDir = '';
test.beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cliprelay-e2e-start-'));
});
test.afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

test('a busy port is reported with the variable that moves it, and nothing starts', async ({ product }) => {
  const ports = await freePorts();
  // The suite's own product already listens on its web port.
  ports.web = Number(new URL(product.web).port);
  const start = npmStart({ dataDir, ports });
  expect(await start.exited).toBe(1);
  expect(start.output()).toContain(`${ports.web} for the web app: set WEB_PORT to use another port`);
  expect(start.output()).toContain('Is another `npm start` still running?');
  // Only the busy port is named, and none of the free ones was taken.
  expect(start.output()).not.toContain('API_PORT');
  expect(await openPorts({ ...ports, web: 0 })).toEqual([]);
});

test('Ctrl-C stops every part, and a second start keeps the session, the account and the library', async ({
  page,
  shot,
}) => {
  test.setTimeout(300_000);
  const ports = await freePorts();
  const first = npmStart({ dataDir, ports });
  const web = await whenReady(first).catch(async (error: unknown) => {
    await first.stop();
    throw error;
  });
  expect(web).toBe(first.urls.web);
  const sandbox = new TikTokSandbox(first.urls.sandbox);

  try {
    await signIn(page, first.urls);
    // npm start seeded one creator; the consent page offers it.
    await connectTikTok(page, first.urls, sandbox, { nickname: 'Stella Stays' });
    const creatorsBefore = await sandbox.creators();
    expect(creatorsBefore).toHaveLength(2);
  } finally {
    expect(await first.stop()).toBe('SIGINT');
  }
  expect(await openPorts(ports)).toEqual([]);

  const second = npmStart({ dataDir, ports });
  try {
    await whenReady(second);
    expect(second.output()).not.toContain('building the web app');
    // Still signed in (the identity provider kept its signing key), the account still connected.
    await page.goto(`${second.urls.web}/accounts`);
    await expect(accountCard(page, 'Stella Stays').getByText('Connected')).toBeVisible();
    await shot('after-restart');
    // The library holds the samples once, and the sandbox its two creators: nothing seeded twice.
    await page.goto(`${second.urls.web}/publish`);
    await page.getByText('Media library', { exact: true }).click();
    await expect(page.getByRole('radiogroup', { name: 'Media library' }).getByRole('radio')).toHaveCount(3);
    const creatorsAfter = await sandbox.creators();
    expect(creatorsAfter).toHaveLength(2);
  } finally {
    await second.stop();
  }
  expect(await openPorts(ports)).toEqual([]);
});
