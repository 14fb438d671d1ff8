/**
 * The media library on the publish screen (PULL_FROM_URL), in real Chromium against the real API
 * and media host: each video shows a still and its duration, and a video on the media server can
 * be added, with the server's refusals shown at the field they are about.
 */
import type { MediaItem } from '@cliprelay/contract';
import { commands, page } from '@vitest/browser/context';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { formLoaded, openPublish } from '../../../testing/publish.ts';
import { apiAs } from '../../../testing/render-app.tsx';
import { screenshotBoth } from '../../../testing/screenshots.ts';

afterEach(async () => {
  await page.viewport(1280, 900);
});

const library = () => page.getByRole('radiogroup', { name: 'Media library' });
const addDialog = () => page.getByRole('dialog', { name: 'Add a video to your library' });

async function openLibrary(): Promise<void> {
  await formLoaded();
  await page.getByText('Media library', { exact: true }).click();
}

/** The library row showing `title`. */
function row(title: string) {
  return page.getByTestId('media-item').filter({ hasText: title });
}

/** The `<video>` of a row's still, once the browser has read the video's metadata from its URL. */
async function loadedStill(title: string): Promise<HTMLVideoElement> {
  const video = row(title).getByTestId('media-thumbnail').element().querySelector('video');
  if (!video) throw new Error(`no still for ${title}`);
  await expect.poll(() => video.readyState, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
  return video;
}

describe('the media library', () => {
  it('shows every video with a still from the media server and its duration', async () => {
    const { session } = await openPublish();
    await commands.addMediaLibrary(session.access_token);
    // One the library knows no duration of: the browser reads it from the video.
    const prefix = inject('stack').mediaPrefix;
    await apiAs<MediaItem>(session, '/media', {
      method: 'POST',
      body: JSON.stringify({ title: 'Sunset, length unknown', url: `${prefix}sunset-timelapse.mp4` }),
    });
    await openLibrary();
    await expect.element(library()).toBeVisible();

    for (const [title, file, duration] of [
      ['City walk', 'city-walk.mp4', '0:04'],
      ['Colour bars', 'colour-bars.mp4', '0:05'],
      ['Sunset timelapse', 'sunset-timelapse.mp4', '0:03'],
      ['Sunset, length unknown', 'sunset-timelapse.mp4', '0:03'],
    ] as const) {
      const video = await loadedStill(title);
      expect(video.getAttribute('src')).toBe(`${prefix}${file}#t=0.5`);
      expect(video.muted).toBe(true);
      expect(video.videoWidth).toBeGreaterThan(0);
      await expect.element(row(title).getByTestId('media-duration')).toHaveTextContent(duration);
    }
    await expect.poll(() => page.getByTestId('media-item').elements().length).toBe(4);
    await screenshotBoth('media-library');
  });
});

describe('adding a video to the library', () => {
  it('adds a video on the media server: it appears in the list, chosen, with its still and length', async () => {
    await openPublish();
    await openLibrary();
    await expect.element(page.getByText('Your media library is empty')).toBeVisible();
    await page.getByRole('button', { name: 'Add a video' }).click();
    await expect.element(addDialog()).toBeVisible();

    const url = `${inject('stack').mediaPrefix}sunset-timelapse.mp4`;
    await addDialog().getByLabelText('Video link').fill(url);
    // The file's name is offered as the title; the user's own wins.
    await expect
      .element(addDialog().getByLabelText('Title'))
      .toHaveAttribute('placeholder', 'Sunset timelapse');
    await addDialog().getByLabelText('Title').fill('Sunset over the bay');
    await screenshotBoth('media-add-form');
    await addDialog().getByRole('button', { name: 'Add to library' }).click();

    await expect.element(addDialog()).not.toBeInTheDocument();
    await expect.element(library()).toBeVisible();
    await expect.element(row('Sunset over the bay')).toBeVisible();
    await expect.element(library().getByRole('radio', { name: /Sunset over the bay/ })).toBeChecked();
    await loadedStill('Sunset over the bay');
    await expect.element(row('Sunset over the bay').getByTestId('media-duration')).toHaveTextContent('0:03');
    await expect.element(page.getByLabelText('Preview of Sunset over the bay')).toBeVisible();
    await screenshotBoth('media-added');
  });

  it('shows the server’s refusal of a link outside the media server at the link field', async () => {
    const { session } = await openPublish();
    await openLibrary();
    await page.getByRole('button', { name: 'Add a video' }).click();
    const link = addDialog().getByLabelText('Video link');

    // Both empty: the browser asks for them before anything is sent.
    await addDialog().getByRole('button', { name: 'Add to library' }).click();
    await expect.element(addDialog().getByText('Paste the link to the video.')).toBeVisible();
    await expect.element(link).toHaveAttribute('aria-invalid', 'true');

    await link.fill('https://videos.example.com/clip.mp4');
    await addDialog().getByLabelText('Title').fill('Somebody else’s clip');
    await addDialog().getByRole('button', { name: 'Add to library' }).click();
    const prefix = inject('stack').mediaPrefix;
    await expect
      .element(addDialog().getByText(`The link must start with ${prefix}`, { exact: false }))
      .toBeVisible();
    await expect.element(link).toHaveAttribute('aria-invalid', 'true');
    await expect.element(addDialog().getByLabelText('Title')).not.toHaveAttribute('aria-invalid', 'true');
    await screenshotBoth('media-add-refused');

    // Not a link at all: the server's own sentence, at the same field.
    await link.fill('not a link');
    await addDialog().getByRole('button', { name: 'Add to library' }).click();
    await expect.element(addDialog().getByText('The video URL is not a valid URL.')).toBeVisible();

    // Nothing was stored.
    expect(await apiAs<MediaItem[]>(session, '/media')).toEqual([]);

    // A link on the media server and no title of the user's own: the file's name is the title.
    await link.fill(`${prefix}city-walk.mp4`);
    await addDialog().getByLabelText('Title').fill('');
    await addDialog().getByRole('button', { name: 'Add to library' }).click();
    await expect.element(addDialog()).not.toBeInTheDocument();
    await expect.element(library().getByRole('radio', { name: /City walk/ })).toBeChecked();
    expect((await apiAs<MediaItem[]>(session, '/media')).map((m) => m.title)).toEqual(['City walk']);
  });
});
