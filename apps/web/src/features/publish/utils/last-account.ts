/** The account the user last published from, remembered in this browser (localStorage). */

const LAST_ACCOUNT_KEY = 'cliprelay.publish.lastAccount';

export function rememberPublishAccount(id: string): void {
  try {
    localStorage.setItem(LAST_ACCOUNT_KEY, id);
  } catch {
    // Storage full or disabled: the picker simply starts unset next time.
  }
}

export function lastPublishAccount(): string | null {
  try {
    return localStorage.getItem(LAST_ACCOUNT_KEY);
  } catch {
    return null;
  }
}
