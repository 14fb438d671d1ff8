/**
 * What the publish screen's tests do the way a user does: open the screen for a freshly connected
 * sandbox creator, pick a real video file, choose an audience, press Publish.
 */
import { commands, page } from '@vitest/browser/context';
import { expect, inject } from 'vitest';
import '../../test-stack/context.ts';
import type { TestCreator } from '../../test-stack/context.ts';
import { renderApp, signInFreshUser, type TestSession } from './render-app.tsx';

export interface OpenedPublish {
  session: TestSession;
  accountId: string;
  openId: string;
  app: ReturnType<typeof renderApp>;
}

/** A new user with one connected creator, on /publish with the form loaded. */
export async function openPublish(creator: TestCreator = {}): Promise<OpenedPublish> {
  const session = await signInFreshUser();
  const { accountId, openId } = await commands.connectTikTokAccount(session.access_token, {
    nickname: 'Mia Moves',
    username: 'mia.moves',
    ...creator,
  });
  const app = renderApp('/publish', { session });
  return { session, accountId, openId, app };
}

/** Waits until creator info has loaded and the form is ready. */
export async function formLoaded(nickname = 'Mia Moves'): Promise<void> {
  await expect.element(page.getByTestId('creator-nickname')).toHaveTextContent(nickname);
}

/** One of the bundled sample videos (real MP4s the sandbox accepts), as a File from the device. */
export async function sampleFile(name = 'city-walk.mp4'): Promise<File> {
  const res = await fetch(`${inject('stack').mediaPrefix}${name}`);
  if (!res.ok) throw new Error(`sample ${name}: HTTP ${res.status}`);
  return new File([await res.blob()], name, { type: 'video/mp4' });
}

/** A file of `bytes` bytes that starts like an MP4 but has no movie inside. */
export function brokenMp4(bytes = 64 * 1024, name = 'broken.mp4'): File {
  const data = new Uint8Array(bytes);
  data.set([0, 0, 0, 24, ...new TextEncoder().encode('ftypisom')], 0);
  return new File([data], name, { type: 'video/mp4' });
}

/** The file input behind the "Video file" button (what a file chooser fills). */
export function videoInput() {
  const input = document.querySelector<HTMLInputElement>('input[type="file"]');
  if (!input) throw new Error('No file input on the page');
  return page.elementLocator(input);
}

/**
 * Puts `file` into the video input as a file chooser does, and fires its change event. (Vitest's
 * userEvent.upload re-encodes binary files on the way, which would corrupt the MP4s; this keeps
 * the very File object, bytes and reported size.)
 */
export async function chooseFile(file: File): Promise<void> {
  const input = videoInput().element() as HTMLInputElement;
  const transfer = new DataTransfer();
  transfer.items.add(file);
  input.files = transfer.files;
  input.dispatchEvent(new Event('change', { bubbles: true }));
  await expect.element(page.getByRole('button', { name: 'Video file' })).toHaveTextContent(file.name);
}

/** The "Who can view this video" select (its label carries a required mark). */
export const privacySelect = () => page.getByPlaceholder('Choose who can view');

export async function choosePrivacy(label: string): Promise<void> {
  await privacySelect().click();
  await page.getByRole('option', { name: label, exact: true }).click();
  await expect.element(privacySelect()).toHaveValue(label);
}

export const publishButton = () => page.getByRole('button', { name: /^(Publish|Publishing…)$/ });

/** A complete form: a real video from the device and an audience. */
export async function fillForm(
  options: { file?: File; privacy?: string; caption?: string } = {},
): Promise<File> {
  const file = options.file ?? (await sampleFile());
  await chooseFile(file);
  if (options.caption) await page.getByLabelText('Caption').fill(options.caption);
  await choosePrivacy(options.privacy ?? 'Followers');
  await expect.element(publishButton()).toBeEnabled();
  return file;
}
