/** TikTok's public addresses, shared by the publish result and the history. */

/** TikTok's public address of a post: it has one once TikTok gives a post id (public posts, after review). */
export function tiktokPostUrl(username: string, postId: string): string {
  return `https://www.tiktok.com/@${encodeURIComponent(username)}/video/${encodeURIComponent(postId)}`;
}
