/**
 * The web app's runtime configuration, read once at start-up from `/config.json` next to
 * index.html. Switching from the dev identity provider to an Auth0 tenant, or to another API, is
 * a matter of replacing that file on the host: no rebuild.
 */
import { z } from 'zod';

const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });

const runtimeConfigSchema = z
  .object({
    /** Our API, e.g. https://api.cliprelay.example */
    apiBaseUrl: httpUrl,
    /** The OIDC issuer: the dev identity provider locally, https://TENANT.auth0.com/ in production. */
    authority: httpUrl,
    /** The SPA's client id at the provider. */
    clientId: z.string().min(1, 'must not be empty'),
    /** The API's identifier; Auth0 issues a JWT access token for it when asked with `audience`. */
    audience: z.string().min(1, 'must not be empty'),
    /** offline_access brings a refresh token, which silent renewal uses. */
    scope: z.string().default('openid profile email offline_access'),
  })
  .strict();

export type RuntimeConfig = Readonly<z.output<typeof runtimeConfigSchema>>;
export type RuntimeConfigInput = z.input<typeof runtimeConfigSchema>;

export class RuntimeConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`config.json is not valid: ${problems.join('; ')}`);
    this.name = 'RuntimeConfigError';
  }
}

/** Validates a parsed config.json, naming every bad field. */
export function parseRuntimeConfig(raw: unknown): RuntimeConfig {
  const result = runtimeConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new RuntimeConfigError(
      result.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`),
    );
  }
  return Object.freeze({ ...result.data, apiBaseUrl: result.data.apiBaseUrl.replace(/\/+$/, '') });
}

export async function loadRuntimeConfig(url = '/config.json'): Promise<RuntimeConfig> {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw new RuntimeConfigError([`${url} answered HTTP ${res.status}`]);
  let raw: unknown;
  try {
    raw = await res.json();
  } catch {
    throw new RuntimeConfigError([`${url} is not JSON`]);
  }
  return parseRuntimeConfig(raw);
}
