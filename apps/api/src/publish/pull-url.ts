import { AppError } from '../common/app-error.ts';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * PULL_FROM_URL URLs must be https and start with one of the app's verified prefixes
 * (tiktok-api.md §5). The one exception is a local dev media host: an http prefix on localhost,
 * which only a development configuration lists (TikTok itself would never accept it; the
 * sandbox does with --allow-http-pull).
 *
 * `purpose` words the refusal of a URL outside the prefixes for where it was given: a post
 * (choose a library video instead) or the media library itself (which prefix a link must start with).
 */
export function checkPullUrl(
  raw: string,
  verifiedPrefixes: readonly string[],
  purpose: 'publish' | 'library' = 'publish',
): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw notVerified('The video URL is not a valid URL.');
  }
  const localDev = url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !localDev) {
    throw notVerified('The video URL must start with https://.');
  }
  if (url.username || url.password) throw notVerified('The video URL must not contain credentials.');
  const normalised = url.toString();
  if (!verifiedPrefixes.some((p) => normalised.startsWith(p))) {
    throw notVerified(
      purpose === 'library'
        ? `Only videos on Cliprelay's media server can be added. The link must start with ${verifiedPrefixes.join(' or ')}`
        : 'TikTok only pulls videos from our verified media library. Pick a video from the library or upload the file instead.',
    );
  }
  return normalised;
}

function notVerified(message: string): AppError {
  return new AppError('URL_NOT_VERIFIED', message);
}
