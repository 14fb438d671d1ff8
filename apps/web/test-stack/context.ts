/**
 * Types shared by the Node side of the web tests (global setup, browser commands) and the browser
 * side (src/testing): what the global setup provides and what each browser command takes and gives.
 */

/** A sandbox creator's settings (the sandbox's POST /_sandbox/creators body). */
export interface TestCreator {
  username?: string;
  nickname?: string;
  private_account?: boolean;
  comment_disabled?: boolean;
  duet_disabled?: boolean;
  stitch_disabled?: boolean;
  max_video_post_duration_sec?: number;
  banned?: boolean;
  posts_today?: number;
}

/** A dev user's real sign-in: the token response of the identity provider. */
export interface TestSignIn {
  sub: string;
  name: string;
  email: string;
  access_token: string;
  id_token: string;
  refresh_token: string | undefined;
  expires_in: number;
  scope: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: { apiUrl: string; authority: string; sandboxUrl: string; mediaPrefix: string };
    /** Absolute: apps/web/test-results/screenshots (page.screenshot resolves relative paths per test file). */
    screenshotDir: string;
  }
}

declare module '@vitest/browser/context' {
  interface BrowserCommands {
    signInFreshUser: () => Promise<TestSignIn>;
    connectTikTokAccount: (
      accessToken: string,
      creator?: TestCreator,
    ) => Promise<{ accountId: string; openId: string }>;
    sandbox: <T = unknown>(path: string, body?: unknown) => Promise<T>;
    sandboxChange: (method: 'PATCH' | 'DELETE', path: string, body?: unknown) => Promise<void>;
    addMediaLibrary: (accessToken: string) => Promise<number>;
    throttleUpload: (bytesPerSecond: number | null) => Promise<void>;
    failNetwork: (urlPart: string, times?: number) => Promise<void>;
    restoreNetwork: () => Promise<void>;
    resizeWindow: (width: number, height: number) => Promise<void>;
    uploadTempFiles: () => Promise<string[]>;
  }
}
