import type { PrivacyLevel } from '@cliprelay/contract';

/** How the form names TikTok's privacy levels. */
export const PRIVACY_LABELS: Record<PrivacyLevel, string> = {
  PUBLIC_TO_EVERYONE: 'Everyone',
  MUTUAL_FOLLOW_FRIENDS: 'Friends (followers you follow back)',
  FOLLOWER_OF_CREATOR: 'Followers',
  SELF_ONLY: 'Only me',
};

/** A server message with TikTok's privacy codes in it, in the words the form uses. */
export function withPrivacyLabels(message: string): string {
  return message.replace(
    /\b(PUBLIC_TO_EVERYONE|MUTUAL_FOLLOW_FRIENDS|FOLLOWER_OF_CREATOR|SELF_ONLY)\b/g,
    (code) => `“${PRIVACY_LABELS[code as PrivacyLevel]}”`,
  );
}
