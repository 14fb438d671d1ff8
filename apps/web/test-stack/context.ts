/**
 * Types shared by the Node side of the web tests (global setup, browser commands) and the browser
 * side (src/testing): what the global setup provides and what each browser command takes and gives.
 */

import type {
  SandboxConsentInput,
  SandboxCreator,
  SandboxCreatorInput,
  SandboxPublish,
  SandboxCreatorUpdate,
  SandboxFaultInput,
} from '@cliprelay/tiktok-sandbox/control';

/** A sandbox creator's settings (the sandbox's POST /_sandbox/creators body). */
export type TestCreator = SandboxCreatorInput;

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
    sandboxPublish: (publishId: string) => Promise<SandboxPublish>;
    sandboxPublishes: () => Promise<SandboxPublish[]>;
    sandboxConsent: (input: SandboxConsentInput) => Promise<{ redirect_to: string }>;
    createSandboxCreator: (input: TestCreator) => Promise<SandboxCreator>;
    addSandboxFault: (fault: SandboxFaultInput) => Promise<void>;
    clearSandboxFaults: () => Promise<void>;
    updateSandboxCreator: (openId: string, changes: SandboxCreatorUpdate) => Promise<void>;
    advanceSandboxClock: (seconds: number) => Promise<void>;
    addMediaLibrary: (accessToken: string) => Promise<number>;
    throttleUpload: (bytesPerSecond: number | null) => Promise<void>;
    failNetwork: (urlPart: string, times?: number, after?: number, method?: string) => Promise<void>;
    restoreNetwork: () => Promise<void>;
    resizeWindow: (width: number, height: number) => Promise<void>;
    uploadTempFiles: () => Promise<string[]>;
    emulateColorScheme: (scheme: 'light' | 'dark' | null) => Promise<void>;
  }
}
