/** Words for the outcomes of TikTok's consent on the accounts screen. */
import { userMessageForStatus, type ErrorCode } from '@cliprelay/contract';

export function connectErrorMessage(code: ErrorCode): string {
  switch (code) {
    case 'OAUTH_DENIED':
      return "You didn't allow access on TikTok, so no account was connected. To publish, connect again and allow access.";
    case 'OAUTH_SCOPES_MISSING':
      return 'Cliprelay needs every permission it asks for on TikTok, including posting videos. Please connect again and allow every permission.';
    case 'OAUTH_STATE_INVALID':
      return 'This connection link expired or was already used. Please start again.';
    case 'OAUTH_BROWSER_MISMATCH':
      return 'This connection was started in another browser, so no account was connected. If you meant to connect, please start again here.';
    case 'TIKTOK_RATE_LIMITED':
      return userMessageForStatus(429);
    default:
      return 'We could not finish connecting your TikTok account. Please try again in a moment.';
  }
}
