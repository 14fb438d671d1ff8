import { describe, expect, it } from 'vitest';
import { AppError } from '../common/app-error.ts';
import { checkPullUrl } from './pull-url.ts';

const PREFIX = 'https://media.cliprelay.example/v/';

function refusal(raw: string, purpose?: 'publish' | 'library'): AppError {
  try {
    checkPullUrl(raw, [PREFIX], purpose);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error(`${raw} was accepted`);
}

describe('checkPullUrl', () => {
  it('accepts an https URL under a verified prefix, normalised', () => {
    expect(checkPullUrl(`${PREFIX}clip.mp4`, [PREFIX])).toBe(`${PREFIX}clip.mp4`);
  });

  it('tells a publish outside the prefixes to pick a library video or upload the file', () => {
    const error = refusal('https://elsewhere.example/clip.mp4');
    expect(error.code).toBe('URL_NOT_VERIFIED');
    expect(error.message).toMatch(/Pick a video from the library or upload the file instead/);
  });

  it('tells a media library entry outside the prefixes which prefix a link must start with', () => {
    const error = refusal('https://elsewhere.example/clip.mp4', 'library');
    expect(error.code).toBe('URL_NOT_VERIFIED');
    expect(error.message).toBe(
      `Only videos on Cliprelay's media server can be added. The link must start with ${PREFIX}`,
    );
  });

  it('refuses what is not a URL, or not https, with the same code whatever the purpose', () => {
    expect(refusal('not a link', 'library').message).toBe('The video URL is not a valid URL.');
    expect(refusal('http://media.cliprelay.example/v/clip.mp4').message).toBe(
      'The video URL must start with https://.',
    );
  });
});
